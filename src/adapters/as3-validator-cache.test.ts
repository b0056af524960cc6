import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { cacheFileOf, cachedOfficialValidator, defaultCacheDir } from './as3-validator-cache.js';
import { compileOfficial } from './schema-validator.js';

/** A stand-in for the official schema (same `$id` + `#/definitions/AS3` shape) using formats of both kinds. */
const SCHEMA = JSON.stringify({
  $id: 'https://example.test/as3-stand-in.json',
  definitions: {
    AS3: {
      type: 'object',
      required: ['class'],
      properties: {
        class: { const: 'AS3' },
        address: { type: 'string', format: 'f5ip' },
        when: { type: 'string', format: 'date-time' },
        tags: { type: 'array', uniqueItems: true, items: { $ref: '#/definitions/Tag' } },
      },
    },
    Tag: { type: 'string', minLength: 2 },
  },
});

const DOCUMENTS = [
  { class: 'AS3', address: '10.1.1.1%2/24', when: '2026-01-02T03:04:05Z', tags: ['ab', 'cd'] },
  { class: 'AS3', address: '10.1.1.300' },
  { class: 'AS3', when: 'yesterday' },
  { class: 'AS3', tags: ['ab', 'ab', 'x'] },
  { class: 'ADC' },
];

/** Each document's verdict and errors, as `validate` gives them. */
function verdicts(validate: ValidateFunction): unknown[] {
  return DOCUMENTS.map((d) => [validate(structuredClone(d)), validate.errors ?? null]);
}

describe('the official AS3 schema compiled once and cached (as3.schemaCacheDir)', () => {
  let dir: string;
  const expected = verdicts(compileOfficial(SCHEMA).validate);
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kube-as3-schema-cache-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('compiles and stores on a miss, then loads the same validator from the cache', async () => {
    const first = await cachedOfficialValidator(SCHEMA, dir);
    assert.deepEqual([first.from, first.stored, first.problem], ['compiled', true, undefined]);
    assert.deepEqual(verdicts(first.validate), expected);
    assert.deepEqual(readdirSync(dir), [cacheFileOf(dir, SCHEMA).slice(dir.length + 1)]);
    const second = await cachedOfficialValidator(SCHEMA, dir);
    assert.deepEqual([second.from, second.stored, second.problem], ['cache', false, undefined]);
    assert.deepEqual(verdicts(second.validate), expected);
  });

  it("names the file by the schema text and Ajv's version: another schema is a miss", async () => {
    await cachedOfficialValidator(SCHEMA, dir);
    const other = SCHEMA.replace('"minLength":2', '"minLength":3');
    assert.notEqual(cacheFileOf(dir, other), cacheFileOf(dir, SCHEMA));
    assert.match(cacheFileOf(dir, SCHEMA), /as3-schema-[0-9a-f]{64}-ajv\d+\.\d+\.\d+-v\d+\.js$/);
    assert.equal((await cachedOfficialValidator(other, dir)).from, 'compiled');
    assert.equal(readdirSync(dir).length, 2);
  });

  it('compiles again and rewrites a cache file that fails its checksum (cut short, edited)', async () => {
    await cachedOfficialValidator(SCHEMA, dir);
    const file = cacheFileOf(dir, SCHEMA);
    const whole = readFileSync(file, 'utf8');
    for (const damaged of [whole.slice(0, whole.length / 2), whole.replace('validate', 'validat3'), '']) {
      writeFileSync(file, damaged);
      const again = await cachedOfficialValidator(SCHEMA, dir);
      assert.deepEqual([again.from, again.stored], ['compiled', true]);
      assert.match(again.problem ?? '', /fails its checksum/);
      assert.deepEqual(verdicts(again.validate), expected);
      assert.equal(readFileSync(file, 'utf8'), whole);
      assert.equal((await cachedOfficialValidator(SCHEMA, dir)).from, 'cache');
    }
  });

  it('compiles again when a file with a good checksum does not define a validator', async () => {
    const code = 'module.exports = 42;';
    const header = readFileSync((await cachedOfficialValidator(SCHEMA, dir), cacheFileOf(dir, SCHEMA)), 'utf8').split('sha256:')[0];
    writeFileSync(cacheFileOf(dir, SCHEMA), `${header}sha256:${createHash('sha256').update(code).digest('hex')}\n${code}`);
    const again = await cachedOfficialValidator(SCHEMA, dir);
    assert.deepEqual([again.from, again.stored], ['compiled', true]);
    assert.match(again.problem ?? '', /does not define a validator/);
  });

  it('compiles at every start when the folder cannot be written, and says why', async () => {
    const blocker = join(dir, 'a-file');
    writeFileSync(blocker, '');
    const unwritable = join(blocker, 'cache');
    for (let i = 0; i < 2; i++) {
      const result = await cachedOfficialValidator(SCHEMA, unwritable);
      assert.deepEqual([result.from, result.stored], ['compiled', false]);
      assert.match(result.problem ?? '', /cannot write .*a-file\/cache \((ENOTDIR|EEXIST)\)/);
      assert.deepEqual(verdicts(result.validate), expected);
    }
  });

  it('lives in $XDG_CACHE_HOME/kube-as3, else ~/.cache/kube-as3', () => {
    assert.equal(defaultCacheDir({ XDG_CACHE_HOME: '/var/cache/me' }), '/var/cache/me/kube-as3');
    assert.match(defaultCacheDir({}), /\/\.cache\/kube-as3$/);
    assert.match(defaultCacheDir({ XDG_CACHE_HOME: '' }), /\/\.cache\/kube-as3$/);
  });
});
