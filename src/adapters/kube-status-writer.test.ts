import { describe, it } from 'mocha';
import assert from 'node:assert/strict';
import { ApiException } from '@kubernetes/client-node';
import type { ObjectRef } from '../kube/refs.js';
import { refKey } from '../kube/refs.js';
import type { ResourceStatus } from '../status/resource-status.js';
import { KubeStatusWriter, holds, replacingPatch } from './kube-status-writer.js';
import type { CustomResourceType, StatusApi, StatusWriteError } from './kube-status-writer.js';

interface Call {
  cluster: string;
  path: string;
  patch: Record<string, unknown>;
}

/** Records every write as the path it would PATCH; `fail` decides per path what to throw. */
class FakeStatusApi implements StatusApi {
  constructor(
    readonly calls: Call[],
    private readonly cluster = 'local',
    private readonly fail: (path: string) => unknown = () => undefined,
  ) {}

  private async record(path: string, patch: Record<string, unknown>): Promise<void> {
    this.calls.push({ cluster: this.cluster, path, patch });
    const err = this.fail(path);
    if (err !== undefined) throw err;
  }

  patchCustomStatus(type: CustomResourceType, namespace: string, name: string, status: Record<string, unknown>): Promise<void> {
    return this.record(`/apis/${type.group}/${type.version}/namespaces/${namespace}/${type.plural}/${name}/status`, status);
  }

  patchServiceStatus(namespace: string, name: string, status: Record<string, unknown>): Promise<void> {
    return this.record(`/api/v1/namespaces/${namespace}/services/${name}/status`, status);
  }

  patchIngressStatus(namespace: string, name: string, status: Record<string, unknown>): Promise<void> {
    return this.record(`/apis/networking.k8s.io/v1/namespaces/${namespace}/ingresses/${name}/status`, status);
  }
}

function apiError(code: number, body: unknown): ApiException<unknown> {
  return new ApiException(code, 'failed', body, { 'content-type': 'application/json' });
}

const vs: ObjectRef = { kind: 'VirtualServer', namespace: 'shop', name: 'cafe' };
const ts: ObjectRef = { kind: 'TransportServer', namespace: 'shop', name: 'db' };
const svc: ObjectRef = { kind: 'Service', namespace: 'shop', name: 'lb' };
const ing: ObjectRef = { kind: 'Ingress', namespace: 'shop', name: 'web' };

const ok = { vsAddress: '10.1.1.10', status: 'Ok', lastUpdated: '2025-01-01T00:00:00Z', conditions: [{ type: 'Ready', status: 'True' }] };
const lb = { loadBalancer: { ingress: [{ ip: '10.8.0.4' }] } };

function currentFrom(entries: Array<[ObjectRef, Record<string, unknown>]>): (ref: ObjectRef) => Record<string, unknown> | undefined {
  const byKey = new Map(entries.map(([ref, status]) => [`${ref.cluster ?? ''}/${refKey(ref)}`, status]));
  return (ref) => byKey.get(`${ref.cluster ?? ''}/${refKey(ref)}`);
}

describe('KubeStatusWriter', () => {
  it('writes each kind to its /status path and skips statuses already as desired', async () => {
    const calls: Call[] = [];
    const current = currentFrom([
      [vs, ok],
      // The API server defaulted ipMode; our ip is there, so nothing to write.
      [svc, { loadBalancer: { ingress: [{ ip: '10.8.0.4', ipMode: 'VIP' }] }, conditions: [{ type: 'x' }] }],
    ]);
    const writer = new KubeStatusWriter({ api: new FakeStatusApi(calls), current });
    const statuses: ResourceStatus[] = [
      { ref: vs, status: ok },
      { ref: svc, status: lb },
      { ref: ts, status: { ...ok, vsAddress: '10.1.1.20' } },
      { ref: ing, status: lb },
      { ref: { ...svc, name: 'moved' }, status: lb },
    ];
    const result = await writer.write(statuses);
    assert.deepEqual(result, { written: 3, skipped: 2, failed: 0 });
    assert.deepEqual(calls.map((c) => c.path).sort(), [
      '/api/v1/namespaces/shop/services/moved/status',
      '/apis/cis.f5.com/v1/namespaces/shop/transportservers/db/status',
      '/apis/networking.k8s.io/v1/namespaces/shop/ingresses/web/status',
    ]);
  });

  it('removes fields of ours that are no longer wanted (a fixed VirtualServer loses its error)', async () => {
    const calls: Call[] = [];
    const failed = { ...ok, status: 'Error', error: 'spec.host: invalid' };
    const writer = new KubeStatusWriter({ api: new FakeStatusApi(calls), current: currentFrom([[vs, failed]]) });
    assert.deepEqual(await writer.write([{ ref: vs, status: ok }]), { written: 1, skipped: 0, failed: 0 });
    assert.deepEqual(calls[0]?.patch, { ...ok, error: null });
  });

  it('on Services and Ingresses writes only loadBalancer, leaving conditions of others alone', async () => {
    const calls: Call[] = [];
    const current = currentFrom([[svc, { loadBalancer: { ingress: [{ ip: '10.8.0.3' }] }, conditions: [{ type: 'DisruptionTarget' }] }]]);
    const writer = new KubeStatusWriter({ api: new FakeStatusApi(calls), current });
    await writer.write([{ ref: svc, status: lb }]);
    assert.deepEqual(calls[0]?.patch, lb);
  });

  it('goes on after failures, reports each with HTTP status and server message, never throws', async () => {
    const calls: Call[] = [];
    const fail = (path: string): unknown => {
      if (path.includes('/virtualservers/gone/'))
        return apiError(404, { kind: 'Status', reason: 'NotFound', message: 'virtualservers.cis.f5.com "gone" not found' });
      if (path.includes('/services/'))
        return apiError(409, JSON.stringify({ kind: 'Status', reason: 'Conflict', message: 'the object has been modified' }));
      if (path.includes('/ingresses/'))
        return new Error('connect ECONNREFUSED https://admin:hunter2@10.0.0.1:6443 with Authorization: Bearer abc.def');
      return undefined;
    };
    const errors: StatusWriteError[] = [];
    const writer = new KubeStatusWriter({
      api: new FakeStatusApi(calls, 'local', fail),
      current: () => undefined,
      onError: (_ref, err) => errors.push(err),
      concurrency: 1,
    });
    const result = await writer.write([
      { ref: { ...vs, name: 'gone' }, status: ok },
      { ref: svc, status: lb },
      { ref: ing, status: lb },
      { ref: vs, status: ok },
    ]);
    assert.deepEqual(result, { written: 1, skipped: 0, failed: 3 });
    assert.equal(calls.length, 4, 'every write was attempted');
    assert.deepEqual(
      errors.map((e) => [e.ref.name, e.httpStatus, e.gone]),
      [
        ['gone', 404, true],
        ['lb', 409, false],
        ['web', undefined, false],
      ],
    );
    assert.equal(
      errors[0]?.message,
      'VirtualServer shop/gone: cannot write status: the API server answered HTTP 404 (the resource no longer exists): NotFound: virtualservers.cis.f5.com "gone" not found',
    );
    assert.equal(
      errors[1]?.message,
      'Service shop/lb: cannot write status: the API server answered HTTP 409: Conflict: the object has been modified',
    );
    assert.doesNotMatch(errors[2]?.message ?? '', /hunter2|abc\.def/);
    assert.match(errors[2]?.message ?? '', /^Ingress shop\/web: cannot write status: connect ECONNREFUSED/);
  });

  it('a throwing onError does not fail the batch', async () => {
    const writer = new KubeStatusWriter({
      api: new FakeStatusApi([], 'local', () => apiError(500, '')),
      current: () => undefined,
      onError: () => {
        throw new Error('logger broke');
      },
    });
    assert.deepEqual(
      await writer.write([
        { ref: vs, status: ok },
        { ref: ts, status: ok },
      ]),
      { written: 0, skipped: 0, failed: 2 },
    );
  });

  it('routes each ref to its cluster; an unknown cluster or kind is a failure, not a throw', async () => {
    const calls: Call[] = [];
    const apis = new Map<string | undefined, StatusApi>([
      [undefined, new FakeStatusApi(calls, 'local')],
      ['east', new FakeStatusApi(calls, 'east')],
    ]);
    const errors: string[] = [];
    const writer = new KubeStatusWriter({
      api: (cluster) => apis.get(cluster),
      current: () => undefined,
      onError: (_ref, err) => errors.push(err.message),
    });
    const result = await writer.write([
      { ref: vs, status: ok },
      { ref: { ...vs, cluster: 'east' }, status: ok },
      { ref: { ...svc, cluster: 'west' }, status: lb },
      { ref: { kind: 'Route', namespace: 'shop', name: 'r' }, status: {} },
    ]);
    assert.deepEqual(result, { written: 2, skipped: 0, failed: 2 });
    assert.deepEqual(calls.map((c) => c.cluster).sort(), ['east', 'local']);
    assert.deepEqual(errors.sort(), [
      'Route shop/r: cannot write status: kind Route has no status this controller writes',
      'Service shop/lb (cluster west): cannot write status: no API server is configured for cluster west',
    ]);
  });

  it('keeps at most `concurrency` writes in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const releases: Array<() => void> = [];
    const slow: StatusApi = {
      patchCustomStatus: () =>
        new Promise<void>((resolve) => {
          inFlight++;
          peak = Math.max(peak, inFlight);
          releases.push(() => {
            inFlight--;
            resolve();
          });
        }),
      patchServiceStatus: () => Promise.resolve(),
      patchIngressStatus: () => Promise.resolve(),
    };
    const writer = new KubeStatusWriter({ api: slow, current: () => undefined, concurrency: 2 });
    const statuses = Array.from({ length: 5 }, (_, i) => ({ ref: { ...vs, name: `v${i}` }, status: ok }));
    const done = writer.write(statuses);
    // Release writes one at a time as they start, until all five went through.
    for (let released = 0; released < 5; released++) {
      while (releases.length === 0) await Promise.resolve();
      (releases.shift() as () => void)();
    }
    assert.deepEqual(await done, { written: 5, skipped: 0, failed: 0 });
    assert.equal(peak, 2);
  });
});

describe('status comparison and patches', () => {
  const holdsCases: Array<[string, unknown, unknown, boolean]> = [
    ['extra fields in current are fine', { a: 1, b: 2 }, { a: 1 }, true],
    ['a missing field is a difference', { b: 2 }, { a: 1 }, false],
    ['array elements compare as subsets', { i: [{ ip: '1', ipMode: 'VIP' }] }, { i: [{ ip: '1' }] }, true],
    ['a different array length is a difference', { i: [{ ip: '1' }, { ip: '2' }] }, { i: [{ ip: '1' }] }, false],
    ['order matters in arrays', { i: [{ ip: '2' }, { ip: '1' }] }, { i: [{ ip: '1' }, { ip: '2' }] }, false],
    ['nothing holds something', undefined, { a: 1 }, false],
  ];
  for (const [name, current, desired, want] of holdsCases) it(`holds: ${name}`, () => assert.equal(holds(current, desired), want));

  it('replacingPatch sends every desired field and null for the ones to remove, at every depth', () => {
    assert.deepEqual(replacingPatch({ a: 1, gone: 'x', nested: { keep: 1, drop: 2 } }, { a: 1, nested: { keep: 1 }, added: [1] }), {
      gone: null,
      a: 1,
      nested: { keep: 1, drop: null },
      added: [1],
    });
    assert.deepEqual(replacingPatch(undefined, { a: 1 }), { a: 1 });
  });
});
