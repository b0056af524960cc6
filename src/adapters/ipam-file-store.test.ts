import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { parse as parseYaml } from 'yaml';
import { FileIpamStore, serializeIpamState } from './ipam-file-store.js';
import { allocateWithStore } from '../ipam/store.js';
import { parseRanges } from '../ipam/ranges.js';
import type { IpamState } from '../ipam/allocator.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

const state: IpamState = {
  allocations: {
    'ns/web_host': { label: 'prod', address: '10.1.1.11' },
    'ns/db_ts': { label: 'prod', address: '10.1.1.10' },
  },
  releasing: { 'ns/old_svc': { label: 'prod', address: '10.1.1.12' } },
};

describe('FileIpamStore', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kube-as3-ipam-'));
    file = join(dir, 'ipam-state.json');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a missing file as an empty, unversioned state', async () => {
    assert.deepEqual(await new FileIpamStore(file).load(), { state: { allocations: {}, releasing: {} }, version: undefined });
  });

  it('round-trips a state, the version being the SHA-256 of the file', async () => {
    const store = new FileIpamStore(file);
    const saved = await store.save(state, undefined);
    assert.ok(saved.ok);
    const loaded = await new FileIpamStore(file).load();
    assert.deepEqual(loaded.state, state);
    assert.equal(loaded.version, saved.version);
    assert.equal(saved.version, createHash('sha256').update(readFileSync(file)).digest('hex'));
  });

  it('writes through a temporary file in the same directory and leaves none behind', async () => {
    const store = new FileIpamStore(file);
    const first = await store.save(state, undefined);
    assert.ok(first.ok);
    const second = await store.save({ allocations: {}, releasing: {} }, first.version);
    assert.ok(second.ok);
    assert.deepEqual(readdirSync(dir), ['ipam-state.json']);
  });

  it('writes deterministic bytes: sorted keys, two-space indent, trailing newline', async () => {
    const reordered: IpamState = {
      releasing: { 'ns/old_svc': { address: '10.1.1.12', label: 'prod' } },
      allocations: { 'ns/db_ts': { address: '10.1.1.10', label: 'prod' }, 'ns/web_host': { label: 'prod', address: '10.1.1.11' } },
    };
    await new FileIpamStore(file).save(reordered, undefined);
    const expected = [
      '{',
      '  "allocations": {',
      '    "ns/db_ts": {',
      '      "address": "10.1.1.10",',
      '      "label": "prod"',
      '    },',
      '    "ns/web_host": {',
      '      "address": "10.1.1.11",',
      '      "label": "prod"',
      '    }',
      '  },',
      '  "releasing": {',
      '    "ns/old_svc": {',
      '      "address": "10.1.1.12",',
      '      "label": "prod"',
      '    }',
      '  }',
      '}',
      '',
    ].join('\n');
    assert.equal(readFileSync(file, 'utf8'), expected);
    assert.equal(serializeIpamState(state), expected);
  });

  it('refuses to save when the file changed underneath (or appeared meanwhile)', async () => {
    const store = new FileIpamStore(file);
    const { version } = await store.load();
    writeFileSync(file, serializeIpamState(state));
    assert.deepEqual(await store.save({ allocations: {}, releasing: {} }, version), { ok: false, conflict: true });
    const loaded = await store.load();
    writeFileSync(file, `${readFileSync(file, 'utf8')}\n`);
    assert.deepEqual(await store.save({ allocations: {}, releasing: {} }, loaded.version), { ok: false, conflict: true });
    assert.deepEqual((await store.load()).state, state);
  });

  it('lets allocateWithStore persist across runs: the same addresses after a restart, no rewrite', async () => {
    const { ranges } = parseRanges({ prod: ['10.1.1.10-10.1.1.20'] });
    const requests = [
      { key: 'b', label: 'prod' },
      { key: 'a', label: 'prod' },
    ];
    const first = await allocateWithStore(new FileIpamStore(file), requests, ranges);
    const bytes = readFileSync(file, 'utf8');
    const second = await allocateWithStore(new FileIpamStore(file), requests, ranges);
    assert.deepEqual([...second.outcomes], [...first.outcomes]);
    assert.equal(second.changed, false);
    assert.equal(readFileSync(file, 'utf8'), bytes);
  });

  const invalid: Array<[string, string, RegExp]> = [
    ['not JSON', '{"allocations": ', /is not valid JSON/],
    [
      'the wrong shape',
      '{"allocations": {"k": {"label": "prod", "address": "nope"}}}',
      /allocations\["k"\]\.address: "nope" is not an IP address/,
    ],
    ['a list', '[]', /must be an object/],
  ];
  for (const [title, content, message] of invalid) {
    it(`refuses a file that is ${title}, naming the file`, async () => {
      writeFileSync(file, content);
      const store = new FileIpamStore(file);
      await assert.rejects(store.load(), (err: Error) => {
        assert.ok(err.message.includes(file), err.message);
        assert.match(err.message, message);
        return true;
      });
    });
  }

  it('reports a file it cannot write, naming it', async () => {
    const store = new FileIpamStore(join(dir, 'missing-dir', 'state.json'));
    await assert.rejects(store.save(state, undefined), /IPAM state file .*missing-dir.*state\.json: cannot write/);
  });
});

describe('crds/ipamallocations.kube-as3.dev.yaml', () => {
  const crdFile = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'crds', 'ipamallocations.kube-as3.dev.yaml');
  const crd = parseYaml(readFileSync(crdFile, 'utf8')) as {
    metadata: { name: string };
    spec: {
      group: string;
      scope: string;
      names: { kind: string; plural: string };
      versions: Array<{ name: string; storage: boolean; schema: { openAPIV3Schema: object } }>;
    };
  };
  const version = crd.spec.versions[0];
  // The CRD's status.lastUpdated is `format: date-time`: register the standard formats so Ajv checks it
  // (without them Ajv ignores the format and warns `unknown format "date-time"` on every run).
  const validate = addFormats(new Ajv({ strict: false, allErrors: true })).compile(version?.schema.openAPIV3Schema ?? {});

  it('defines the namespaced IPAMAllocation kind of kube-as3.dev/v1alpha1', () => {
    assert.equal(crd.metadata.name, `${crd.spec.names.plural}.${crd.spec.group}`);
    assert.deepEqual(
      [crd.metadata.name, crd.spec.names.kind, crd.spec.scope],
      ['ipamallocations.kube-as3.dev', 'IPAMAllocation', 'Namespaced'],
    );
    assert.deepEqual(
      crd.spec.versions.map((v) => [v.name, v.storage]),
      [['v1alpha1', true]],
    );
  });

  it('accepts the state the stores write as its spec', () => {
    const object = {
      apiVersion: 'kube-as3.dev/v1alpha1',
      kind: 'IPAMAllocation',
      metadata: { name: 'kube-as3' },
      spec: JSON.parse(serializeIpamState(state)) as unknown,
    };
    assert.equal(validate(object), true, JSON.stringify(validate.errors));
    assert.equal(validate({ spec: {} }), true, 'a fresh object with an empty spec');
  });

  it('refuses an allocation without an address or with a label that is not a string', () => {
    assert.equal(validate({ spec: { allocations: { k: { label: 'prod' } } } }), false);
    assert.equal(validate({ spec: { releasing: { k: { label: 1, address: '10.0.0.1' } } } }), false);
  });
});
