/**
 * The compiled official AS3 schema kept between starts (as3.schemaCacheDir,
 * src/adapters/as3-validator-cache.ts): the CLI stores it on the first start and uses it on the
 * next with the same outcome; a folder it cannot write only costs the compile, with a note. With
 * the real schema (when ../shared/as3-schemas has it), the cached validator judges as compiling does.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cachedOfficialValidator } from '../src/adapters/as3-validator-cache.js';
import { officialDeclarationValidator } from '../src/adapters/schema-validator.js';
import { compileOfficialSchema, officialSchemaDir, officialSchemaPath, skipWithoutOfficialSchema } from './support/as3-validation.js';
import { runCliCaptured } from './support/run-cli.js';

const SCHEMA = {
  $id: 'https://example.test/as3-stand-in.json',
  definitions: {
    AS3: {
      type: 'object',
      properties: { declaration: { type: 'object', properties: { schemaVersion: { type: 'string', minLength: 1 } } } },
    },
  },
};
const OBJECTS = [
  'apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec: {ports: [{name: http, port: 80, targetPort: 8080}]}',
  'apiVersion: cis.f5.com/v1\nkind: VirtualServer\nmetadata: {name: web, namespace: shop, labels: {f5cr: "true"}}\n' +
    'spec: {host: web.example.com, virtualServerAddress: 10.1.1.1, pools: [{path: /, service: web, servicePort: 80}]}',
].join('\n---\n');

describe('as3.schemaCacheDir: the official AS3 schema compiled once, not at every start', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kube-as3-schema-cache-cli-'));
    writeFileSync(join(dir, 'schema.json'), JSON.stringify(SCHEMA));
    writeFileSync(join(dir, 'objects.yaml'), OBJECTS);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const plan = (cacheDir: string): Promise<{ code: number; stdout: string; stderr: string }> => {
    const config = join(dir, 'kube-as3.yaml');
    writeFileSync(
      config,
      `poolMemberType: cluster\nbigip: {partition: shop}\nas3: {schemaFile: ${join(dir, 'schema.json')}, schemaCacheDir: ${cacheDir}}\n`,
    );
    return runCliCaptured(['plan', '-f', join(dir, 'objects.yaml'), '--config', config]);
  };

  it('plan stores the compiled schema in the folder, and the next plan gives the same output from it', async () => {
    const cacheDir = join(dir, 'cache', 'kube-as3');
    const first = await plan(cacheDir);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stderr, '');
    const files = readdirSync(cacheDir);
    assert.equal(files.length, 1);
    const second = await plan(cacheDir);
    assert.deepEqual(second, first);
    assert.deepEqual(readdirSync(cacheDir), files);
  });

  it('plan compiles the schema when the folder cannot be written, and says how to avoid it', async () => {
    writeFileSync(join(dir, 'a-file'), '');
    const run = await plan(join(dir, 'a-file', 'cache'));
    assert.equal(run.code, 0, run.stderr);
    assert.match(
      run.stderr,
      /^note: as3\.schemaFile was compiled but not cached \(set as3\.schemaCacheDir to a writable folder to start faster\): cannot write /,
    );
    assert.ok(JSON.parse(run.stdout));
  });

  it('the official AS3 schema loaded from the cache judges declarations as compiling it does', async function () {
    skipWithoutOfficialSchema(this);
    this.timeout(180_000);
    const text = readFileSync(officialSchemaPath, 'utf8');
    const compiled = compileOfficialSchema();
    assert.ok(compiled);
    assert.equal((await cachedOfficialValidator(text, dir)).from, 'compiled');
    const cached = await cachedOfficialValidator(text, dir);
    assert.equal(cached.from, 'cache');
    const fromCache = officialDeclarationValidator(cached.validate);
    for (const name of ['valid.json', 'invalid.json', 'invalid-unknown-property.json']) {
      const declaration: unknown = JSON.parse(readFileSync(join(officialSchemaDir, name), 'utf8'));
      assert.equal(fromCache(declaration), compiled(declaration), name);
    }
    assert.equal(fromCache(JSON.parse(readFileSync(join(officialSchemaDir, 'valid.json'), 'utf8'))), '');
  });
});
