import assert from 'node:assert/strict';
import { LAST_APPLIED, slimObject } from './slim-object.js';
import type { KubeObject } from './types.js';

/** What the API server and kubectl add to every object, none of which kube-as3 reads. */
const BOOKKEEPING = {
  managedFields: [{ manager: 'kubectl', operation: 'Update', fieldsV1: { 'f:spec': {} } }],
  ownerReferences: [{ apiVersion: 'v1', kind: 'Thing', name: 'owner', uid: 'u0' }],
  finalizers: ['example.com/keep'],
  selfLink: '/api/v1/x',
  generateName: 'x-',
  deletionGracePeriodSeconds: 30,
  deletionTimestamp: '2026-01-02T00:00:00Z',
};

/** What kube-as3 reads of metadata: kept for every kind. */
const READ_METADATA = {
  name: 'a',
  namespace: 'ns',
  uid: 'u1',
  resourceVersion: '42',
  generation: 3,
  creationTimestamp: '2026-01-01T00:00:00Z',
  labels: { app: 'a' },
  annotations: { 'virtual-server.f5.com/ip': '10.0.0.1' },
};

function full(apiVersion: string, kind: string, body: Record<string, unknown>): KubeObject {
  return {
    apiVersion,
    kind,
    metadata: { ...READ_METADATA, ...BOOKKEEPING, annotations: { ...READ_METADATA.annotations, [LAST_APPLIED]: '{"big": "copy"}' } },
    ...body,
  } as KubeObject;
}

const kept = (apiVersion: string, kind: string, body: Record<string, unknown>): KubeObject =>
  ({ apiVersion, kind, metadata: READ_METADATA, ...body }) as KubeObject;

describe('slimObject', () => {
  const vsSpec = { host: 'a.example.com', pools: [{ service: 's', servicePort: 80, loadBalancingMetod: 'typo' }] };
  const cases: Array<[string, KubeObject, KubeObject]> = [
    [
      'a VirtualServer keeps its whole spec (unknown fields too), not its status',
      full('cis.f5.com/v1', 'VirtualServer', { spec: vsSpec, status: { vsAddress: '10.0.0.1' }, spc: { typo: true } }),
      kept('cis.f5.com/v1', 'VirtualServer', { spec: vsSpec, spc: { typo: true } }),
    ],
    [
      'a Service keeps its spec, not its status',
      full('v1', 'Service', { spec: { type: 'NodePort', ports: [{ port: 80 }] }, status: { loadBalancer: {} } }),
      kept('v1', 'Service', { spec: { type: 'NodePort', ports: [{ port: 80 }] } }),
    ],
    [
      'an EndpointSlice is kept whole',
      full('discovery.k8s.io/v1', 'EndpointSlice', {
        addressType: 'IPv4',
        endpoints: [{ addresses: ['10.1.0.1'] }],
        ports: [{ port: 80 }],
      }),
      kept('discovery.k8s.io/v1', 'EndpointSlice', {
        addressType: 'IPv4',
        endpoints: [{ addresses: ['10.1.0.1'] }],
        ports: [{ port: 80 }],
      }),
    ],
    [
      'a Secret keeps its type and data',
      full('v1', 'Secret', { type: 'kubernetes.io/tls', data: { 'tls.crt': 'Y3J0' } }),
      kept('v1', 'Secret', { type: 'kubernetes.io/tls', data: { 'tls.crt': 'Y3J0' } }),
    ],
    [
      'a Node keeps its spec and the addresses and conditions of its status',
      full('v1', 'Node', {
        spec: { unschedulable: true, podCIDR: '10.2.0.0/24' },
        status: {
          addresses: [{ type: 'InternalIP', address: '10.0.0.9' }],
          conditions: [{ type: 'Ready', status: 'True' }],
          images: [{ names: ['big'] }],
          nodeInfo: { kubeletVersion: 'v1.31' },
        },
      }),
      kept('v1', 'Node', {
        spec: { unschedulable: true, podCIDR: '10.2.0.0/24' },
        status: { addresses: [{ type: 'InternalIP', address: '10.0.0.9' }], conditions: [{ type: 'Ready', status: 'True' }] },
      }),
    ],
    [
      'a Pod keeps only its metadata (NodePortLocal reads its annotation)',
      full('v1', 'Pod', { spec: { containers: [{ name: 'c', image: 'i' }] }, status: { podIP: '10.1.0.1' } }),
      kept('v1', 'Pod', {}),
    ],
    [
      'a Namespace keeps only its metadata',
      full('v1', 'Namespace', { spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } }),
      kept('v1', 'Namespace', {}),
    ],
    [
      'a ConfigMap is kept whole (an extended ConfigMap holds the cluster set)',
      full('v1', 'ConfigMap', { data: { extendedSpec: 'mode: ratio' } }),
      kept('v1', 'ConfigMap', { data: { extendedSpec: 'mode: ratio' } }),
    ],
    [
      'a Deployment keeps what says it was skipped',
      full('apps/v1', 'Deployment', { spec: { replicas: 3 }, status: { replicas: 3 } }),
      kept('apps/v1', 'Deployment', {}),
    ],
    [
      'a VirtualServer of another API version keeps what says it was skipped',
      full('cis.f5.com/v1beta1', 'VirtualServer', { spec: vsSpec }),
      kept('cis.f5.com/v1beta1', 'VirtualServer', {}),
    ],
  ];
  for (const [what, input, expected] of cases) {
    it(what, () => assert.deepEqual(slimObject(input), expected));
  }

  it('keeps metadata fields that are not ObjectMeta fields, so a misspelling still gets its warning', () => {
    const obj = {
      apiVersion: 'cis.f5.com/v1',
      kind: 'TLSProfile',
      metadata: { name: 'a', namepsace: 'typo', managedFields: [] },
      spec: {},
    } as KubeObject;
    assert.deepEqual(slimObject(obj).metadata, { name: 'a', namepsace: 'typo' });
  });

  it('leaves the object it reads unchanged (aliased YAML values may be shared)', () => {
    const input = full('v1', 'Service', { spec: { type: 'NodePort' }, status: {} });
    const copy = structuredClone(input);
    slimObject(input);
    assert.deepEqual(input, copy);
  });

  it('keeps objects without metadata or with odd shapes as they are', () => {
    assert.deepEqual(slimObject({ apiVersion: 'v1', kind: 'Service' }), { apiVersion: 'v1', kind: 'Service' });
    assert.deepEqual(slimObject({ apiVersion: 'v1', kind: 'Service', metadata: 'x' } as unknown as KubeObject), {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: 'x',
    });
  });

  it('gives back the object itself when nothing is dropped (no copy of objects written by hand)', () => {
    const written = [
      { apiVersion: 'cis.f5.com/v1', kind: 'VirtualServer', metadata: { name: 'a', labels: { f5cr: 'true' } }, spec: vsSpec },
      { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' }, status: { addresses: [], conditions: [] } },
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', annotations: { 'nodeportlocal.antrea.io': '[]' } } },
    ] as KubeObject[];
    for (const obj of written) assert.equal(slimObject(obj), obj);
    const listed = written.map((o) => ({ ...o, metadata: { ...o.metadata, managedFields: [] } }));
    for (const obj of listed) assert.notEqual(slimObject(obj), obj);
  });
});
