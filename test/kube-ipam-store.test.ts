/**
 * KubeIpamStore against a fake API server over real HTTP, through the real @kubernetes/client-node:
 * what it reads and writes, how the API server's compare-and-swap answers become conflicts, and two
 * replicas allocating at the same time without ever giving one address to two keys.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { parse as parseYaml } from 'yaml';
import { KubeIpamStore } from '../src/adapters/kube-ipam-store.js';
import { allocateWithStore, commitReleasesWithStore } from '../src/ipam/store.js';
import type { IpamStore } from '../src/ipam/store.js';
import type { IpamRequest, IpamState } from '../src/ipam/allocator.js';
import { parseRanges } from '../src/ipam/ranges.js';
import { kubeConfigFor, objectKey, startFakeKubeApi } from './support/fake-kube-api.js';
import type { FakeKubeApi } from './support/fake-kube-api.js';
import { addressOf, duplicateAddresses } from './support/ipam-checks.js';
import { seededRandom } from './support/seeded-random.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

const GROUP = 'kube-as3.dev';
const VERSION = 'v1alpha1';
const PLURAL = 'ipamallocations';
const NAMESPACE = 'kube-as3';
const NAME = 'kube-as3-edge';
const OBJECT_PATH = `/apis/${GROUP}/${VERSION}/namespaces/${NAMESPACE}/${PLURAL}/${NAME}`;
const KEY = objectKey(GROUP, PLURAL, NAMESPACE, NAME);
const FIXED_NOW = new Date('2025-03-01T12:00:00.000Z');

const { ranges } = parseRanges({ prod: ['10.9.0.1-10.9.0.200'], v6: ['2001:db8:9::/120'] });

const state: IpamState = {
  allocations: {
    'shop/www.example.com_host': { label: 'prod', address: '10.9.0.1' },
    'shop/db_ts': { label: 'prod', address: '10.9.0.2' },
  },
  releasing: { 'shop/old_svc': { label: 'prod', address: '10.9.0.3' } },
};

const crdFile = join(resolve(dirname(fileURLToPath(import.meta.url)), '..'), 'crds', 'ipamallocations.kube-as3.dev.yaml');

interface CrdVersionDoc {
  name: string;
  subresources?: Record<string, unknown>;
  schema: { openAPIV3Schema: Record<string, unknown> };
}

function crdVersion(): CrdVersionDoc {
  const crd = parseYaml(readFileSync(crdFile, 'utf8')) as { spec: { versions: CrdVersionDoc[] } };
  const version = crd.spec.versions.find((v) => v.name === VERSION);
  assert.ok(version, `${crdFile} has no ${VERSION}`);
  return version;
}

/** Turns of the event loop (not time): lets in-flight HTTP exchanges of the other replica progress. */
async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * The store with a seeded, varying number of event-loop turns before each load and save, so that two
 * replicas do not stay in lockstep and their reads and writes interleave differently every round.
 */
function staggered(store: IpamStore, random: () => number): IpamStore {
  return {
    load: async () => {
      await turns(Math.floor(random() * 4));
      return store.load();
    },
    save: async (next, expected) => {
      await turns(Math.floor(random() * 4));
      return store.save(next, expected);
    },
  };
}

describe('KubeIpamStore (IPAMAllocation custom resource)', () => {
  let fake: FakeKubeApi;
  let api: CustomObjectsApi;

  /** A store with its own API client, as a separate replica (or a restarted controller) has. */
  function newStore(instance?: string): KubeIpamStore {
    const client = kubeConfigFor(fake.url).makeApiClient(CustomObjectsApi);
    return new KubeIpamStore({ api: client, namespace: NAMESPACE, name: NAME, now: () => FIXED_NOW, ...(instance ? { instance } : {}) });
  }

  function stored(): Record<string, unknown> & { metadata: Record<string, unknown>; spec: unknown } {
    const object = fake.objects().get(KEY);
    assert.ok(object, `${KEY} is not stored`);
    return object as Record<string, unknown> & { metadata: Record<string, unknown>; spec: unknown };
  }

  function writes(): number {
    return fake.requests.filter((r) => r.method !== 'GET').length;
  }

  /** Writes an object directly through the API, as `kubectl` or another tool would. */
  async function createByHand(body: Record<string, unknown>): Promise<void> {
    await api.createNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NAMESPACE, plural: PLURAL, body });
  }

  beforeEach(async () => {
    fake = await startFakeKubeApi();
    api = kubeConfigFor(fake.url).makeApiClient(CustomObjectsApi);
  });
  afterEach(async () => {
    await fake.close();
  });

  it('reads a missing object as an empty, unversioned state', async () => {
    assert.deepEqual(await newStore().load(), { state: { allocations: {}, releasing: {} }, version: undefined });
    assert.deepEqual(
      fake.requests.map((r) => [r.method, r.path, r.status]),
      [['GET', OBJECT_PATH, 404]],
    );
  });

  it('creates the object on the first save: spec, managed-by label, and status counts the CRD schema accepts', async () => {
    const saved = await newStore('edge').save(state, undefined);
    assert.ok(saved.ok);
    assert.deepEqual(
      fake.requests.map((r) => [r.method, r.status]),
      [['POST', 201]],
    );
    const object = stored();
    assert.equal(saved.version, object.metadata['resourceVersion']);
    assert.equal(object['apiVersion'], 'kube-as3.dev/v1alpha1');
    assert.equal(object['kind'], 'IPAMAllocation');
    assert.deepEqual(object.metadata['labels'], { 'app.kubernetes.io/managed-by': 'kube-as3', 'app.kubernetes.io/instance': 'edge' });
    assert.deepEqual(object.spec, state);
    assert.deepEqual(object['status'], { allocated: 2, releasing: 1, lastUpdated: '2025-03-01T12:00:00.000Z' });

    // status is written with the spec only because the CRD does not make it a subresource.
    const version = crdVersion();
    assert.equal(version.subresources?.['status'], undefined);
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    const validate = ajv.compile(version.schema.openAPIV3Schema);
    assert.ok(validate({ spec: object.spec, status: object['status'] }), JSON.stringify(validate.errors));
  });

  it('loads what was saved, with the resourceVersion as the version', async () => {
    const saved = await newStore().save(state, undefined);
    assert.ok(saved.ok);
    const loaded = await newStore().load();
    assert.deepEqual(loaded, { state, version: saved.version });
  });

  it('refuses a save on a stale resourceVersion as a conflict and keeps the newer object', async () => {
    const store = newStore();
    const first = await store.save(state, undefined);
    assert.ok(first.ok);
    const next: IpamState = { allocations: { 'shop/new_host': { label: 'prod', address: '10.9.0.9' } }, releasing: {} };
    const second = await store.save(next, first.version);
    assert.ok(second.ok);
    assert.notEqual(second.version, first.version);

    assert.deepEqual(await newStore().save(state, first.version), { ok: false, conflict: true });
    assert.deepEqual(fake.requests.at(-1), { method: 'PUT', path: OBJECT_PATH, query: '', status: 409 });
    assert.deepEqual(await newStore().load(), { state: next, version: second.version });
  });

  it('lets exactly one of two simultaneous creates win', async () => {
    const other: IpamState = { allocations: { 'shop/other_host': { label: 'prod', address: '10.9.0.1' } }, releasing: {} };
    const results = await Promise.all([newStore().save(state, undefined), newStore().save(other, undefined)]);
    assert.deepEqual(results.map((r) => r.ok).sort(), [false, true]);
    assert.deepEqual(
      results.find((r) => !r.ok),
      { ok: false, conflict: true },
    );
    const winner = results[0]?.ok ? state : other;
    assert.deepEqual((await newStore().load()).state, winner);
    assert.deepEqual(fake.requests.map((r) => r.status).sort(), [200, 201, 409]);
  });

  it('treats an object deleted after it was read as a conflict, and allocation re-creates it', async () => {
    const store = newStore();
    const saved = await store.save(state, undefined);
    assert.ok(saved.ok);
    await api.deleteNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: NAMESPACE, plural: PLURAL, name: NAME });
    assert.deepEqual(await store.save(state, saved.version), { ok: false, conflict: true });

    const result = await allocateWithStore(store, [{ key: 'shop/web_host', label: 'prod' }], ranges);
    assert.equal(addressOf(result, 'shop/web_host'), '10.9.0.1');
    assert.deepEqual((stored().spec as IpamState).allocations, { 'shop/web_host': { label: 'prod', address: '10.9.0.1' } });
  });

  it('reads an object without spec as empty, and replaces it on that version', async () => {
    await createByHand({ apiVersion: 'kube-as3.dev/v1alpha1', kind: 'IPAMAllocation', metadata: { name: NAME } });
    const store = newStore();
    const loaded = await store.load();
    assert.deepEqual(loaded.state, { allocations: {}, releasing: {} });
    assert.equal(loaded.version, stored().metadata['resourceVersion']);
    const saved = await store.save(state, loaded.version);
    assert.ok(saved.ok);
    assert.deepEqual(stored().spec, state);
  });

  it('keeps annotations and finalizers added by hand: the edit makes the pending write conflict, the retry carries them', async () => {
    const store = newStore();
    const first = await allocateWithStore(store, [{ key: 'shop/a_host', label: 'prod' }], ranges);
    const read = await store.load();
    const edited = {
      ...stored(),
      metadata: { ...stored().metadata, annotations: { 'example.com/owner': 'team-net' }, finalizers: ['example.com/keep'] },
    };
    await api.replaceNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: NAMESPACE,
      plural: PLURAL,
      name: NAME,
      body: edited,
    });
    assert.deepEqual(await store.save(read.state, read.version), { ok: false, conflict: true });

    const requestsBefore = fake.requests.length;
    const second = await allocateWithStore(
      store,
      [
        { key: 'shop/a_host', label: 'prod' },
        { key: 'shop/b_host', label: 'prod' },
      ],
      ranges,
    );
    assert.equal(addressOf(second, 'shop/a_host'), addressOf(first, 'shop/a_host'));
    assert.equal(addressOf(second, 'shop/b_host'), '10.9.0.2');
    assert.deepEqual(
      fake.requests.slice(requestsBefore).map((r) => [r.method, r.status]),
      [
        ['GET', 200],
        ['PUT', 200],
      ],
    );
    const object = stored();
    assert.deepEqual(object.metadata['annotations'], { 'example.com/owner': 'team-net' });
    assert.deepEqual(object.metadata['finalizers'], ['example.com/keep']);
    assert.deepEqual(object.metadata['labels'], { 'app.kubernetes.io/managed-by': 'kube-as3' });
    assert.deepEqual(object['status'], { allocated: 2, releasing: 0, lastUpdated: '2025-03-01T12:00:00.000Z' });
  });

  it('refuses an invalid stored spec with an Error naming the object and the problem', async () => {
    await createByHand({
      apiVersion: 'kube-as3.dev/v1alpha1',
      kind: 'IPAMAllocation',
      metadata: { name: NAME },
      spec: { allocations: { 'shop/web_host': { label: 'prod', address: '10.9.0.300' } }, releasing: {} },
    });
    await assert.rejects(newStore().load(), (err: Error) => {
      assert.match(err.message, /^IPAMAllocation kube-as3\/kube-as3-edge: spec is not a valid IPAM state: /);
      assert.match(err.message, /allocations\["shop\/web_host"\]\.address: "10\.9\.0\.300" is not an IP address/);
      return true;
    });
  });

  const failures: Array<{
    title: string;
    method: string;
    code: number;
    reason: string;
    run: (store: KubeIpamStore) => Promise<unknown>;
    expected: RegExp;
  }> = [
    {
      title: 'a forbidden read',
      method: 'GET',
      code: 403,
      reason: 'Forbidden',
      run: (store) => store.load(),
      expected: /^IPAMAllocation kube-as3\/kube-as3-edge: cannot read: the API server answered HTTP 403: Forbidden: denied by the test$/,
    },
    {
      title: 'a refused token (client-node keeps no body for 401)',
      method: 'GET',
      code: 401,
      reason: 'Unauthorized',
      run: (store) => store.load(),
      expected: /^IPAMAllocation kube-as3\/kube-as3-edge: cannot read: the API server answered HTTP 401: Unauthorized$/,
    },
    {
      title: 'a rejected create',
      method: 'POST',
      code: 422,
      reason: 'Invalid',
      run: (store) => store.save(state, undefined),
      expected: /^IPAMAllocation kube-as3\/kube-as3-edge: cannot create: the API server answered HTTP 422: Invalid: denied by the test$/,
    },
    {
      title: 'a failed update',
      method: 'PUT',
      code: 500,
      reason: 'InternalError',
      run: (store) => store.save(state, '1'),
      expected:
        /^IPAMAllocation kube-as3\/kube-as3-edge: cannot update: the API server answered HTTP 500: InternalError: denied by the test$/,
    },
  ];
  for (const { title, method, code, reason, run, expected } of failures) {
    it(`throws the HTTP status and the API server's message on ${title}`, async () => {
      fake.failNext({ method, code, reason, message: 'denied by the test' });
      await assert.rejects(run(newStore()), (err: Error) => expected.test(err.message));
    });
  }

  it('throws a transport error naming the object when the API server is unreachable', async () => {
    const store = newStore();
    await fake.close();
    await assert.rejects(store.load(), (err: Error) => /^IPAMAllocation kube-as3\/kube-as3-edge: cannot read: .+/.test(err.message));
    fake = await startFakeKubeApi();
  });

  it('two replicas allocating at once through the API server never give one address to two keys', async () => {
    const random = seededRandom(7);
    const pool = Array.from({ length: 24 }, (_, i) => `shop/app-${i}_host`);
    const labelOf = (key: string): string => (pool.indexOf(key) % 4 === 3 ? 'v6' : 'prod');
    const requestSet = (keys: string[]): IpamRequest[] => keys.filter(() => random() < 0.5).map((key) => ({ key, label: labelOf(key) }));
    const [replicaA, replicaB] = [staggered(newStore(), random), staggered(newStore(), random)];
    // Disjoint halves of the pool, so each replica's keys compete with the other's for the same addresses.
    const [keysA, keysB] = [pool.filter((_, i) => i % 2 === 0), pool.filter((_, i) => i % 2 === 1)];

    // Every round each replica also brings two keys never seen before, so both need fresh addresses at the same time.
    const fresh = (replica: string, round: number): IpamRequest[] =>
      [0, 1].map((i) => ({ key: `shop/${replica}-${round}-${i}_ts`, label: 'prod' }));

    for (let round = 1; round <= 30; round++) {
      const [setA, setB] = [
        [...requestSet(keysA), ...fresh('a', round)],
        [...requestSet(keysB), ...fresh('b', round)],
      ];
      const [a, b] = await Promise.all([allocateWithStore(replicaA, setA, ranges, 50), allocateWithStore(replicaB, setB, ranges, 50)]);
      const where = `round ${round}`;
      const given = new Map<string, string>();
      for (const [requests, result] of [
        [setA, a],
        [setB, b],
      ] as const) {
        for (const { key } of requests) {
          const address = addressOf(result, key);
          assert.ok(address, `${where}: ${key} got ${JSON.stringify(result.outcomes.get(key))}`);
          assert.ok(!given.has(address), `${where}: ${address} given to ${given.get(address)} and ${key}`);
          given.set(address, key);
        }
      }
      const current = (await newStore().load()).state;
      assert.deepEqual(duplicateAddresses(current), [], where);
      for (const { key } of [...setA, ...setB])
        assert.ok(current.allocations[key] ?? current.releasing[key], `${where}: ${key} lost its address`);
      if (round % 5 === 0) {
        // After "applying", each replica frees what its own last allocation released, again concurrently.
        // (A replica's releases include the other half's keys it was not asked for: those may be freed
        // and re-allocated elsewhere next round, which is exactly what must never produce a duplicate.)
        await Promise.all([
          commitReleasesWithStore(replicaA, 50, a.state.releasing),
          commitReleasesWithStore(replicaB, 50, b.state.releasing),
        ]);
        assert.deepEqual(duplicateAddresses((await newStore().load()).state), [], `${where}, after committing releases`);
      }
    }
    const conflicts = fake.requests.filter((r) => r.status === 409).length;
    assert.ok(conflicts > 0, 'the replicas never raced: the conflict path was not exercised');
  });

  it('gives a restarted controller the same addresses for the same requests without writing', async () => {
    const requests: IpamRequest[] = [
      { key: 'shop/www.example.com_host', label: 'prod' },
      { key: 'shop/db_ts', label: 'prod' },
      { key: 'edge_hg', label: 'v6' },
      { key: 'shop/pinned_svc', label: 'prod', address: '10.9.0.77' },
    ];
    const before = await allocateWithStore(newStore(), requests, ranges);
    const writesBefore = writes();

    const after = await allocateWithStore(newStore(), [...requests].reverse(), ranges);
    assert.equal(after.changed, false);
    assert.deepEqual([...after.outcomes], [...before.outcomes]);
    assert.deepEqual(Object.fromEntries([...after.outcomes].map(([key]) => [key, addressOf(after, key)])), {
      edge_hg: '2001:db8:9::1',
      'shop/db_ts': '10.9.0.1',
      'shop/pinned_svc': '10.9.0.77',
      'shop/www.example.com_host': '10.9.0.2',
    });
    assert.equal(writes(), writesBefore);
  });
});

describe('fake Kubernetes API server', () => {
  let fake: FakeKubeApi;
  beforeEach(async () => {
    fake = await startFakeKubeApi();
  });
  afterEach(async () => {
    await fake.close();
  });

  async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
    const res = await fetch(`${fake.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  }

  it('answers like an API server: resourceVersion counter, Conflict, AlreadyExists, NotFound', async () => {
    const collection = '/apis/example.com/v1/namespaces/ns1/widgets';
    const missing = await call('GET', `${collection}/w`);
    assert.deepEqual(
      [missing.status, missing.json['kind'], missing.json['reason'], missing.json['message']],
      [404, 'Status', 'NotFound', 'widgets.example.com "w" not found'],
    );

    const created = await call('POST', collection, {
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name: 'w' },
      spec: { size: 1 },
    });
    assert.equal(created.status, 201);
    const v1 = (created.json['metadata'] as Record<string, unknown>)['resourceVersion'];
    assert.equal(typeof v1, 'string');
    const again = await call('POST', collection, { metadata: { name: 'w' } });
    assert.deepEqual([again.status, again.json['reason'], again.json['code']], [409, 'AlreadyExists', 409]);

    const replaced = await call('PUT', `${collection}/w`, { ...created.json, spec: { size: 2 } });
    assert.equal(replaced.status, 200);
    const v2 = (replaced.json['metadata'] as Record<string, unknown>)['resourceVersion'];
    assert.ok(Number(v2) > Number(v1));
    for (const metadata of [{ name: 'w', resourceVersion: v1 }, { name: 'w' }]) {
      const stale = await call('PUT', `${collection}/w`, { metadata, spec: { size: 3 } });
      assert.deepEqual([stale.status, stale.json['status'], stale.json['reason']], [409, 'Failure', 'Conflict']);
      assert.equal(
        stale.json['message'],
        'Operation cannot be fulfilled on widgets.example.com "w": the object has been modified; please apply your changes to the latest version and try again',
      );
    }
    const list = await call('GET', collection);
    assert.deepEqual(
      (list.json['items'] as Array<{ spec: unknown }>).map((item) => item.spec),
      [{ size: 2 }],
    );
    assert.deepEqual(fake.objects().get(objectKey('example.com', 'widgets', 'ns1', 'w')), replaced.json);
  });
});
