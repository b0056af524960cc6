import assert from 'node:assert/strict';
import { cisResource, node, service, slice, tlsSecret } from '../../test/support/fixtures.js';
import type { EndpointSlice, KubeObject } from '../kube/types.js';
import { ClusterState } from './cluster-state.js';

describe('ClusterState', () => {
  it('indexes slices by their Service and follows a slice that moves to another Service', () => {
    const state = new ClusterState('c');
    state.upsert(slice('ns', 's1', 'web', ['10.0.0.1']), 'EndpointSlice');
    state.upsert(slice('ns', 's2', 'web', ['10.0.0.2']), 'EndpointSlice');
    assert.deepEqual(
      state.slicesOf('ns', 'web').map((s) => s.metadata?.name),
      ['s1', 's2'],
    );
    state.upsert(slice('ns', 's2', 'api', ['10.0.0.2']), 'EndpointSlice');
    assert.deepEqual(
      state.slicesOf('ns', 'web').map((s) => s.metadata?.name),
      ['s1'],
    );
    assert.deepEqual(
      state.slicesOf('ns', 'api').map((s) => s.metadata?.name),
      ['s2'],
    );
  });

  it('reports which Services changed since a revision, through the Service or its slices', () => {
    const state = new ClusterState('c');
    state.upsert(service('ns', 'web'), 'Service');
    const mark = state.revision;
    state.upsert(slice('ns', 's1', 'api', ['10.0.0.1']), 'EndpointSlice');
    state.upsert(node('n1', '10.1.0.1'), 'Node');
    state.remove('Service', 'ns', 'web');
    assert.deepEqual([...(state.servicesChangedSince(mark) ?? [])].sort(), ['ns/api', 'ns/web']);
    assert.deepEqual([...(state.servicesChangedSince(state.revision) ?? [])], []);
  });

  it('says it cannot answer for revisions older than its bounded journal', () => {
    const state = new ClusterState('c');
    const start = state.revision;
    for (let i = 0; i < 25_000; i++) state.upsert(slice('ns', 's', `svc${i % 7}`, [`10.0.${i % 200}.1`]), 'EndpointSlice');
    assert.equal(state.servicesChangedSince(start), undefined);
    assert.ok(state.servicesChangedSince(state.revision - 5));
  });

  it('gives every change a new revision, also after delete and re-create', () => {
    const state = new ClusterState('c');
    state.upsert(service('ns', 'web'), 'Service');
    const first = state.revisionOf('Service', 'ns', 'web');
    state.remove('Service', 'ns', 'web');
    assert.equal(state.revisionOf('Service', 'ns', 'web'), 0);
    state.upsert(service('ns', 'web'), 'Service');
    assert.ok(state.revisionOf('Service', 'ns', 'web') > first);
  });

  it('re-groups (resourceRevision) for LoadBalancer Services and resources, not for other Services or Secrets', () => {
    const state = new ClusterState('c');
    const changes: Array<[string, () => void, boolean]> = [
      ['a ClusterIP Service', () => state.upsert(service('ns', 'web'), 'Service'), false],
      ['that Service becoming a LoadBalancer', () => state.upsert(service('ns', 'web', { type: 'LoadBalancer' }), 'Service'), true],
      ['a LoadBalancer Service turning back into a ClusterIP one', () => state.upsert(service('ns', 'web'), 'Service'), true],
      ['a Secret', () => state.upsert(tlsSecret('ns', 'cert', { 'tls.crt': 'x' }), 'Secret'), false],
      ['an EndpointSlice', () => state.upsert(slice('ns', 's', 'web', ['10.0.0.1']), 'EndpointSlice'), false],
      ['a TLSProfile', () => state.upsert(cisResource('TLSProfile', 'ns', 'tls', {}), 'TLSProfile'), true],
    ];
    for (const [what, change, regroups] of changes) {
      const before = state.resourceRevision;
      const secrets = state.secretRevision;
      change();
      assert.equal(state.resourceRevision !== before, regroups, what);
      assert.equal(state.secretRevision !== secrets, what === 'a Secret', what);
    }
  });

  it('marks the Services whose slices list a Pod when the Pod changes, however the Pods and slices arrive', () => {
    const withPod = (name: string, svc: string, pod: string): EndpointSlice => ({
      ...slice('ns', name, svc, ['10.0.0.1']),
      endpoints: [{ addresses: ['10.0.0.1'], targetRef: { kind: 'Pod', name: pod } }],
    });
    const pod = (name: string, generation: string): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'ns', annotations: { g: generation } },
    });
    const slicesFirst = new ClusterState('c');
    slicesFirst.upsert(withPod('s1', 'web', 'web-0'), 'EndpointSlice');
    slicesFirst.upsert(withPod('s2', 'api', 'api-0'), 'EndpointSlice');
    let mark = slicesFirst.revision;
    slicesFirst.upsert(pod('web-0', '1'), 'Pod');
    assert.deepEqual([...(slicesFirst.servicesChangedSince(mark) ?? [])], ['ns/web']);
    slicesFirst.upsert(withPod('s3', 'api', 'web-0'), 'EndpointSlice');
    mark = slicesFirst.revision;
    slicesFirst.upsert(pod('web-0', '2'), 'Pod');
    assert.deepEqual(
      [...(slicesFirst.servicesChangedSince(mark) ?? [])].sort(),
      ['ns/api', 'ns/web'],
      'a slice added after the index was built is in it',
    );

    const podsFirst = new ClusterState('c');
    podsFirst.upsert(pod('web-0', '1'), 'Pod');
    podsFirst.upsert(withPod('s1', 'web', 'web-0'), 'EndpointSlice');
    mark = podsFirst.revision;
    podsFirst.remove('Pod', 'ns', 'web-0');
    assert.deepEqual([...(podsFirst.servicesChangedSince(mark) ?? [])], ['ns/web']);
  });

  it('upsertChanged: a status kube-as3 wrote is kept without a new revision; anything else is a change', () => {
    const state = new ClusterState('c');
    const vs = cisResource('VirtualServer', 'ns', 'web', { host: 'web.example.com' });
    assert.equal(state.upsertChanged(vs, 'VirtualServer'), true);
    const revision = state.resourceRevision;
    const written = {
      ...vs,
      metadata: { ...vs.metadata, resourceVersion: '9', managedFields: [{ manager: 'kube-as3' }] },
      status: { vsAddress: '10.1.1.1' },
    } as KubeObject;
    assert.equal(state.upsertChanged(written, 'VirtualServer'), false);
    assert.equal(state.resourceRevision, revision);
    assert.deepEqual(
      (state.get('VirtualServer', 'ns', 'web') as { status?: unknown }).status,
      { vsAddress: '10.1.1.1' },
      'the new status is what the writer compares with',
    );
    const edited = { ...written, spec: { host: 'shop.example.com' } } as KubeObject;
    assert.equal(state.upsertChanged(edited, 'VirtualServer'), true);
    assert.notEqual(state.resourceRevision, revision);
    const ready = node('n1', '10.0.0.1');
    state.upsertChanged(ready, 'Node');
    assert.equal(state.upsertChanged(node('n1', '10.0.0.1', false), 'Node'), true, "a Node's status (readiness, addresses) matters");
  });
});
