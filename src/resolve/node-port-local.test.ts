import assert from 'node:assert/strict';
import { ClusterState } from '../inventory/cluster-state.js';
import type { EndpointSlice, KubeObject, Service } from '../kube/types.js';
import { service } from '../../test/support/fixtures.js';
import { resolveBackend } from './resolve-backend.js';
import { parseNplAnnotation } from './node-port-local.js';

const ENABLED = { 'nodeportlocal.antrea.io/enabled': 'true' };

function pod(name: string, annotation?: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { namespace: 'ns', name, ...(annotation === undefined ? {} : { annotations: { 'nodeportlocal.antrea.io': annotation } }) },
  };
}

function podSlice(pods: Array<[string, string, boolean?]>): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { namespace: 'ns', name: 'web-1', labels: { 'kubernetes.io/service-name': 'web' } },
    addressType: 'IPv4',
    ports: [{ name: 'http', port: 8080 }],
    endpoints: pods.map(([name, ip, ready]) => ({
      addresses: [ip],
      conditions: { ready: ready ?? true },
      targetRef: { kind: 'Pod', namespace: 'ns', name },
    })),
  };
}

function setup(svc: Service, pods: KubeObject[], slice: EndpointSlice): ClusterState {
  const state = new ClusterState('c');
  state.upsert(svc, 'Service');
  state.upsert(slice, 'EndpointSlice');
  for (const p of pods) state.upsert(p, 'Pod');
  return state;
}

function resolve(state: ClusterState): ReturnType<typeof resolveBackend> {
  return resolveBackend({ cluster: state, mode: 'nodeportlocal', nodeAddresses: [] }, { namespace: 'ns', service: 'web', servicePort: 80 });
}

const mapping = (podPort: number, nodeIP: string, nodePort: number, protocol = 'tcp'): string =>
  JSON.stringify([{ podPort, nodeIP, nodePort, protocol }]);

describe('nodeportlocal members (Antrea)', () => {
  const annotated = service('ns', 'web', { type: 'ClusterIP' });
  annotated.metadata = { ...annotated.metadata, annotations: ENABLED };

  it('uses nodeIP:nodePort of the entry whose podPort is the target port, for ready pods only', () => {
    const pods = [
      pod(
        'a',
        JSON.stringify([
          { podPort: 9090, nodeIP: '10.0.0.1', nodePort: 61000 },
          { podPort: 8080, nodeIP: '10.0.0.1', nodePort: 61001, protocol: 'tcp' },
        ]),
      ),
      pod('b', mapping(8080, '10.0.0.2', 61002)),
      pod('c', mapping(8080, '10.0.0.3', 61003)),
    ];
    const state = setup(
      annotated,
      pods,
      podSlice([
        ['a', '192.168.0.1'],
        ['b', '192.168.0.2'],
        ['c', '192.168.0.3', false],
      ]),
    );
    const { members, problems } = resolve(state);
    assert.deepEqual(problems, []);
    assert.deepEqual(members, [
      { address: '10.0.0.1', port: 61001 },
      { address: '10.0.0.2', port: 61002 },
    ]);
  });

  const badAnnotations: Array<[string, string, RegExp]> = [
    ['invalid JSON', '[{podPort: 8080', /is not valid JSON/],
    ['an object instead of a list', '{"podPort":8080,"nodeIP":"10.0.0.9","nodePort":61009}', /must be a JSON list/],
    ['a string port', '[{"podPort":"8080","nodeIP":"10.0.0.9","nodePort":61009}]', /entry 1 must have numeric podPort/],
    ['a missing nodeIP', '[{"podPort":8080,"nodePort":61009}]', /entry 1 must have numeric podPort and nodePort and a nodeIP/],
  ];
  for (const [what, text, message] of badAnnotations) {
    it(`leaves out a pod whose annotation has ${what}, naming the pod in a warning (one pod never refuses the resource), and keeps the others`, () => {
      const state = setup(
        annotated,
        [pod('good', mapping(8080, '10.0.0.1', 61001)), pod('bad', text)],
        podSlice([
          ['good', '192.168.0.1'],
          ['bad', '192.168.0.2'],
        ]),
      );
      const { members, problems } = resolve(state);
      assert.deepEqual(members, [{ address: '10.0.0.1', port: 61001 }]);
      assert.equal(problems.length, 1);
      assert.equal(problems[0]?.severity, 'warning');
      assert.match(problems[0]?.message ?? '', /^Pod ns\/bad annotation nodeportlocal\.antrea\.io /);
      assert.match(problems[0]?.message ?? '', message);
    });
  }

  it('warns about a pod without a mapping for the port yet (missing annotation or other port)', () => {
    const state = setup(
      annotated,
      [pod('new'), pod('other', mapping(9090, '10.0.0.1', 61000))],
      podSlice([
        ['new', '192.168.0.1'],
        ['other', '192.168.0.2'],
      ]),
    );
    const { members, problems } = resolve(state);
    assert.deepEqual(members, []);
    assert.deepEqual(
      problems.map((p) => [p.severity, /no NodePortLocal mapping for port 8080/.test(p.message)]),
      [
        ['warning', true],
        ['warning', true],
      ],
    );
  });

  it('ignores a mapping of another protocol', () => {
    const state = setup(annotated, [pod('a', mapping(8080, '10.0.0.1', 61001, 'udp'))], podSlice([['a', '192.168.0.1']]));
    assert.deepEqual(resolve(state).members, []);
  });

  const refusedServices: Array<[string, Service, RegExp]> = [
    [
      'a Service without the enable annotation',
      service('ns', 'web', { type: 'ClusterIP' }),
      /does not have the annotation nodeportlocal\.antrea\.io\/enabled/,
    ],
    [
      'a NodePort Service',
      { ...service('ns', 'web', { type: 'NodePort' }), metadata: { namespace: 'ns', name: 'web', annotations: ENABLED } },
      /is of type NodePort/,
    ],
  ];
  for (const [what, svc, message] of refusedServices) {
    it(`refuses ${what}`, () => {
      const state = setup(svc, [pod('a', mapping(8080, '10.0.0.1', 61001))], podSlice([['a', '192.168.0.1']]));
      const { members, problems } = resolve(state);
      assert.deepEqual(members, []);
      assert.equal(problems[0]?.severity, 'error');
      assert.match(problems[0]?.message ?? '', message);
    });
  }

  it('parseNplAnnotation accepts the Antrea format', () => {
    assert.deepEqual(parseNplAnnotation('[{"podPort":8080,"nodeIP":"10.0.0.3","nodePort":61001,"protocol":"tcp","protocols":["tcp"]}]'), [
      { podPort: 8080, nodeIP: '10.0.0.3', nodePort: 61001, protocol: 'tcp', protocols: ['tcp'] },
    ]);
  });

  it('a pod annotation change changes the revision of the Services whose slices list the pod', () => {
    const state = setup(annotated, [pod('a')], podSlice([['a', '192.168.0.1']]));
    const before = state.serviceRevision('ns', 'web');
    state.upsert(pod('a', mapping(8080, '10.0.0.1', 61001)), 'Pod');
    assert.ok(state.serviceRevision('ns', 'web') > before);
    assert.deepEqual(resolve(state).members, [{ address: '10.0.0.1', port: 61001 }]);
    const unrelated = state.serviceRevision('ns', 'web');
    state.upsert(pod('not-in-any-slice', mapping(8080, '10.0.0.9', 61009)), 'Pod');
    assert.equal(state.serviceRevision('ns', 'web'), unrelated);
  });
});
