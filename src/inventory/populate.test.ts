import assert from 'node:assert/strict';
import type { KubeObject } from '../kube/types.js';
import { populateCluster } from './populate.js';

describe('populateCluster (offline inputs)', () => {
  it('keeps only the kinds and API groups kube-as3 reads', () => {
    const objects: KubeObject[] = [
      { apiVersion: 'cis.f5.com/v1', kind: 'VirtualServer', metadata: { name: 'ours', namespace: 'a' } },
      { apiVersion: 'k8s.nginx.org/v1', kind: 'VirtualServer', metadata: { name: 'nginx', namespace: 'a' } },
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'a' } },
      { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'legacy', namespace: 'a' } },
    ];
    const { state, diagnostics } = populateCluster('c', objects);
    assert.deepEqual(diagnostics, []);
    assert.deepEqual(state.list('VirtualServer').map((o) => o.metadata?.name), ['ours']);
  });

  it('puts namespaced objects without a namespace into default, and keeps cluster-scoped ones without', () => {
    const { state } = populateCluster('c', [
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' } },
      { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1', namespace: 'ignored' } },
    ]);
    assert.ok(state.service('default', 'web'));
    assert.ok(state.get('Node', '', 'n1'));
  });

  it('reports an object without a name and a second definition of the same object (the last one wins)', () => {
    const { state, diagnostics } = populateCluster('c', [
      { apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'a' } },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'a' }, spec: { type: 'ClusterIP' } },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'a' }, spec: { type: 'NodePort' } },
    ] as KubeObject[]);
    assert.deepEqual(diagnostics.map((d) => [d.severity, d.ref.name, d.field ?? '', d.message]), [
      ['error', '', 'metadata.name', 'has no metadata.name and was skipped'],
      ['warning', 'web', '', 'defined more than once in the inputs; the last definition is used'],
    ]);
    assert.equal(state.service('a', 'web')?.spec?.type, 'NodePort');
  });
});
