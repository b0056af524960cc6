import assert from 'node:assert/strict';
import { CRD_DIR, readCrdSchemas } from '../adapters/crd-schemas.js';
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
    assert.deepEqual(
      state.list('VirtualServer').map((o) => o.metadata?.name),
      ['ours'],
    );
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
    assert.deepEqual(
      diagnostics.map((d) => [d.severity, d.ref.name, d.field ?? '', d.message]),
      [
        ['error', '', 'metadata.name', 'has no metadata.name and was skipped'],
        ['warning', 'web', '', 'defined more than once in the inputs; the last definition is used'],
      ],
    );
    assert.equal(state.service('a', 'web')?.spec?.type, 'NodePort');
  });

  it('warns once about each object skipped for its kind or apiVersion', () => {
    const { state, diagnostics } = populateCluster('c', [
      { apiVersion: 'cis.f5.com/v1beta1', kind: 'VirtualServer', metadata: { name: 'old', namespace: 'a' } },
      { apiVersion: 'cis.f5.com/v1', kind: 'Virtualserver', metadata: { name: 'case', namespace: 'a' } },
    ]);
    assert.deepEqual(
      diagnostics.map((d) => [d.severity, d.ref.kind, d.ref.name, d.field]),
      [
        ['warning', 'VirtualServer', 'old', 'apiVersion'],
        ['warning', 'Virtualserver', 'case', 'kind'],
      ],
    );
    assert.deepEqual(state.list('VirtualServer'), []);
  });

  it("with the CRD schemas, warns about unknown fields of kube-as3's kinds and still keeps the object", () => {
    const vs = {
      apiVersion: 'cis.f5.com/v1',
      kind: 'VirtualServer',
      metadata: { name: 'web' },
      spec: { virtualServerAddress: '10.0.0.1', hots: 'a.example.com' },
    } as KubeObject;
    const withSchemas = populateCluster('c', [vs], { crdSchemas: readCrdSchemas(CRD_DIR) });
    assert.deepEqual(
      withSchemas.diagnostics.map((d) => [d.ref.namespace, d.field, d.message]),
      [['default', 'spec.hots', 'unknown field; did you mean host?']],
    );
    assert.equal(withSchemas.state.list('VirtualServer').length, 1);
    assert.deepEqual(populateCluster('c', [vs]).diagnostics, [], 'without schemas (the live watches) nothing is checked');
  });
});
