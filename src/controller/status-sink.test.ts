import assert from 'node:assert/strict';
import type { StatusApi } from '../adapters/kube-status-writer.js';
import { validateConfig } from '../config/parse-config.js';
import { ClusterState } from '../inventory/cluster-state.js';
import type { ObjectRef } from '../kube/refs.js';
import type { KnownKind, KubeObject } from '../kube/types.js';
import { Planner } from '../plan/planner.js';
import { service, slice, virtualServer } from '../../test/support/fixtures.js';
import { ClusterStatusSink } from './status-sink.js';

describe('ClusterStatusSink: statuses after each pass', () => {
  const parsed = validateConfig({ poolMemberType: 'cluster' });
  if (!parsed.config) throw new Error(parsed.errors.join('; '));
  const config = parsed.config;

  function setup(failFirst = false): { state: ClusterState; planner: Planner; sink: ClusterStatusSink; writes: string[] } {
    const state = new ClusterState('c1');
    state.upsert(service('shop', 'web', { ports: [{ name: 'http', port: 80, targetPort: 8080 }] }), 'Service');
    state.upsert(slice('shop', 'web-a', 'web', ['172.16.0.1']), 'EndpointSlice');
    for (const i of [1, 2, 3]) {
      state.upsert(
        virtualServer('shop', `vs${i}`, {
          host: `vs${i}.example.com`,
          virtualServerAddress: `10.1.1.${i}`,
          pools: [{ path: '/', service: 'web', servicePort: 80 }],
        }),
        'VirtualServer',
      );
    }
    const writes: string[] = [];
    let failures = failFirst ? 1 : 0;
    // The watch sees each written status: the object comes back with it, as from the API server.
    const api: StatusApi = {
      patchCustomStatus: (_type, namespace, name, status) => {
        if (failures-- > 0) return Promise.reject(Object.assign(new Error('conflict'), { code: 409 }));
        writes.push(name);
        const obj = state.get<KubeObject>('VirtualServer', namespace, name) as KubeObject;
        state.upsertChanged({ ...obj, status } as KubeObject, 'VirtualServer');
        return Promise.resolve();
      },
      patchServiceStatus: () => Promise.resolve(),
      patchIngressStatus: () => Promise.resolve(),
    };
    const sink = new ClusterStatusSink({
      api,
      objectOf: (ref: ObjectRef) => state.get(ref.kind as KnownKind, ref.namespace, ref.name),
      log: { info: () => undefined, warn: () => undefined, error: () => undefined },
      now: () => new Date('2026-11-21T10:00:00Z'),
    });
    return { state, planner: new Planner(config), sink, writes };
  }

  it('looks only at resources whose inputs changed: an endpoint change writes and compares nothing', async () => {
    const { state, planner, sink, writes } = setup();
    const report = { changes: [], applied: [], problems: [], posts: 0, inSync: true };
    assert.deepEqual(await sink.publish(planner.plan(state), report), { written: 3, skipped: 0, failed: 0 });
    // The three objects now carry their statuses: one more look at each, all as desired.
    assert.deepEqual(await sink.publish(planner.plan(state), report), { written: 0, skipped: 3, failed: 0 });
    state.upsert(slice('shop', 'web-a', 'web', ['172.16.0.1', '172.16.0.2']), 'EndpointSlice');
    assert.deepEqual(await sink.publish(planner.plan(state), report), { written: 0, skipped: 0, failed: 0 });
    state.upsert(
      virtualServer('shop', 'vs2', {
        host: 'vs2.example.com',
        virtualServerAddress: '10.1.1.20',
        pools: [{ path: '/', service: 'web', servicePort: 80 }],
      }),
      'VirtualServer',
    );
    assert.deepEqual(await sink.publish(planner.plan(state), report), { written: 1, skipped: 0, failed: 0 });
    assert.deepEqual(writes, ['vs1', 'vs2', 'vs3', 'vs2']);
  });

  it('a status that failed to be written is tried again on the next pass, even with nothing changed', async () => {
    const { state, planner, sink, writes } = setup(true);
    const report = { changes: [], applied: [], problems: [], posts: 0, inSync: true };
    assert.deepEqual(await sink.publish(planner.plan(state), report), { written: 2, skipped: 0, failed: 1 });
    const again = await sink.publish(planner.plan(state), report);
    assert.equal(again.written, 1);
    assert.deepEqual([...writes].sort(), ['vs1', 'vs2', 'vs3']);
  });
});
