import assert from 'node:assert/strict';
import type { PoolMemberType } from '../config/config.js';
import { ClusterState } from '../inventory/cluster-state.js';
import { mustParseLabelSelector } from '../kube/label-selector.js';
import type { EndpointSlice } from '../kube/types.js';
import { node, service, slice } from '../../test/support/fixtures.js';
import { nodeAddresses } from './node-addresses.js';
import { resolveBackend } from './resolve-backend.js';

function stateWith(objects: Array<Parameters<ClusterState['upsert']>[0] & { kind?: string }>): ClusterState {
  const state = new ClusterState('test');
  for (const o of objects) state.upsert(o, o.kind as 'Service');
  return state;
}

function resolve(
  state: ClusterState,
  mode: PoolMemberType,
  servicePort: number | string = 80,
  selector = '',
  extra: { nodeMemberLabel?: string; includeUnschedulable?: boolean } = {},
): ReturnType<typeof resolveBackend> {
  const addresses = nodeAddresses(state.nodes(), {
    selector: mustParseLabelSelector(selector),
    useNodeInternal: true,
    includeUnschedulable: extra.includeUnschedulable ?? true,
  });
  const backend = {
    namespace: 'ns',
    service: 'web',
    servicePort,
    ...(extra.nodeMemberLabel ? { nodeMemberLabel: extra.nodeMemberLabel } : {}),
  };
  return resolveBackend({ cluster: state, mode, nodeAddresses: addresses }, backend);
}

describe('resolveBackend', () => {
  const nodes = [node('a', '10.0.0.2'), node('b', '10.0.0.1', true, { zone: 'x' }), node('c', '10.0.0.3', false)];

  it('nodeport: every Ready node × the nodePort, sorted; NotReady nodes excluded', () => {
    const state = stateWith([...nodes, service('ns', 'web', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] })]);
    const { members, problems } = resolve(state, 'nodeport');
    assert.deepEqual(problems, []);
    assert.deepEqual(members, [
      { address: '10.0.0.1', port: 30080 },
      { address: '10.0.0.2', port: 30080 },
    ]);
  });

  it('nodeport: the node label selector restricts members', () => {
    const state = stateWith([...nodes, service('ns', 'web', { type: 'LoadBalancer', ports: [{ port: 80, nodePort: 30080 }] })]);
    assert.deepEqual(resolve(state, 'nodeport', 80, 'zone=x').members, [{ address: '10.0.0.1', port: 30080 }]);
  });

  it('nodeport: a ClusterIP Service is an error naming the Service type, with an empty pool', () => {
    const state = stateWith([...nodes, service('ns', 'web', { type: 'ClusterIP' })]);
    const { members, problems } = resolve(state, 'nodeport');
    assert.deepEqual(members, []);
    assert.equal(problems[0]?.severity, 'error');
    assert.match(problems[0]?.message ?? '', /type ClusterIP/);
  });

  it("nodeport: a pool's nodeMemberLabel restricts its members (key= matches an empty label value)", () => {
    const labelled = [
      node('w1', '10.0.0.1', true, { 'node-role.kubernetes.io/worker': '', zone: 'a' }),
      node('w2', '10.0.0.2', true, { zone: 'b' }),
    ];
    const state = stateWith([...labelled, service('ns', 'web', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] })]);
    assert.deepEqual(
      resolve(state, 'nodeport', 80, '', { nodeMemberLabel: 'node-role.kubernetes.io/worker=' }).members.map((m) => m.address),
      ['10.0.0.1'],
    );
    assert.deepEqual(
      resolve(state, 'nodeport', 80, '', { nodeMemberLabel: 'zone=b' }).members.map((m) => m.address),
      ['10.0.0.2'],
    );
  });

  it('nodeport: cordoned nodes are members unless includeUnschedulableNodes is false', () => {
    const cordoned = { ...node('w1', '10.0.0.1'), spec: { unschedulable: true } };
    const state = stateWith([
      cordoned,
      node('w2', '10.0.0.2'),
      service('ns', 'web', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }),
    ]);
    assert.equal(resolve(state, 'nodeport').members.length, 2);
    assert.deepEqual(
      resolve(state, 'nodeport', 80, '', { includeUnschedulable: false }).members.map((m) => m.address),
      ['10.0.0.2'],
    );
  });

  it('nodeport with externalTrafficPolicy Local: only nodes hosting a ready endpoint', () => {
    const local = service('ns', 'web', {
      type: 'NodePort',
      externalTrafficPolicy: 'Local',
      ports: [{ name: 'http', port: 80, nodePort: 30080 }],
    });
    const withEndpoints = (endpoints: Array<[string, boolean]>): EndpointSlice => ({
      ...slice('ns', 'web-a', 'web', []),
      endpoints: endpoints.map(([nodeName, ready], i) => ({ addresses: [`172.16.0.${i + 1}`], nodeName, conditions: { ready } })),
    });
    const state = stateWith([
      ...nodes,
      local,
      withEndpoints([
        ['a', true],
        ['b', false],
        ['c', true],
      ]),
    ]);
    // c hosts a ready endpoint but is NotReady itself; b's only endpoint is not ready.
    assert.deepEqual(resolve(state, 'nodeport').members, [{ address: '10.0.0.2', port: 30080 }]);
    state.upsert(
      withEndpoints([
        ['a', false],
        ['b', true],
      ]),
      'EndpointSlice',
    );
    assert.deepEqual(resolve(state, 'nodeport').members, [{ address: '10.0.0.1', port: 30080 }]);
  });

  it('cluster: ready endpoints of all slices on the port named like the Service port', () => {
    const state = stateWith([
      service('ns', 'web'),
      slice('ns', 'web-b', 'web', ['172.16.0.3', ['172.16.0.4', false]]),
      slice('ns', 'web-a', 'web', ['172.16.0.2', '172.16.0.3']),
      slice('ns', 'other', 'other', ['172.16.9.9']),
      slice('ns', 'web-metrics', 'web', ['172.16.0.8'], 9090, 'metrics'),
    ]);
    const { members } = resolve(state, 'cluster');
    assert.deepEqual(members, [
      { address: '172.16.0.2', port: 8080 },
      { address: '172.16.0.3', port: 8080 },
    ]);
  });

  it('cluster: IPv4 and IPv6 slices of a dual-stack Service both contribute', () => {
    const v6 = { ...slice('ns', 'web-v6', 'web', ['fd00::b', 'fd00::a']), addressType: 'IPv6' };
    const state = stateWith([
      service('ns', 'web', { ipFamilies: ['IPv4', 'IPv6'] } as never),
      slice('ns', 'web-v4', 'web', ['172.16.0.2']),
      v6,
    ]);
    assert.deepEqual(
      resolve(state, 'cluster').members.map((m) => m.address),
      ['172.16.0.2', 'fd00::a', 'fd00::b'],
    );
  });

  it('cluster: a Service without selector uses the slices its owner manages by hand', () => {
    const manual = service('ns', 'web', { selector: undefined, ports: [{ name: 'db', port: 5432 }] });
    const state = stateWith([manual, slice('ns', 'web-manual', 'web', ['192.0.2.50'], 5432, 'db')]);
    assert.deepEqual(resolve(state, 'cluster', 5432).members, [{ address: '192.0.2.50', port: 5432 }]);
  });

  it('cluster: a removed slice removes its members', () => {
    const state = stateWith([
      service('ns', 'web'),
      slice('ns', 'web-a', 'web', ['172.16.0.2']),
      slice('ns', 'web-b', 'web', ['172.16.0.5']),
    ]);
    state.remove('EndpointSlice', 'ns', 'web-b');
    assert.deepEqual(resolve(state, 'cluster').members, [{ address: '172.16.0.2', port: 8080 }]);
  });

  it('auto: ClusterIP → pod addresses, NodePort → node addresses', () => {
    const clusterIp = stateWith([...nodes, service('ns', 'web'), slice('ns', 'web-a', 'web', ['172.16.0.2'])]);
    assert.deepEqual(resolve(clusterIp, 'auto').members, [{ address: '172.16.0.2', port: 8080 }]);
    const nodePort = stateWith([...nodes, service('ns', 'web', { type: 'NodePort', ports: [{ port: 80, nodePort: 31000 }] })]);
    assert.equal(resolve(nodePort, 'auto').members.length, 2);
  });

  const portCases: Array<[string, number | string, boolean]> = [
    ['the Service port number', 80, true],
    ['the port name', 'http', true],
    ['a numeric targetPort', 8080, true],
    ['an unknown number', 81, false],
    ['an unknown name', 'grpc', false],
  ];
  for (const [what, servicePort, found] of portCases) {
    it(`servicePort by ${what} ${found ? 'resolves' : 'is an error listing the ports'}`, () => {
      const state = stateWith([service('ns', 'web'), slice('ns', 'web-a', 'web', ['172.16.0.2'])]);
      const { members, problems } = resolve(state, 'cluster', servicePort);
      assert.equal(members.length, found ? 1 : 0);
      if (!found) assert.match(problems[0]?.message ?? '', /is not a port of Service ns\/web: its ports are http \(80\)/);
    });
  }

  it("nodeport: a port number listed for TCP and UDP resolves to the nodePort of the backend's protocol", () => {
    const state = stateWith([
      ...nodes,
      service('ns', 'web', {
        type: 'NodePort',
        ports: [
          { name: 'dns-tcp', port: 53, protocol: 'TCP', nodePort: 30053 },
          { name: 'dns-udp', port: 53, protocol: 'UDP', nodePort: 31053 },
        ],
      }),
    ]);
    const addresses = nodeAddresses(state.nodes(), {
      selector: mustParseLabelSelector(''),
      useNodeInternal: true,
      includeUnschedulable: true,
    });
    const ports = (protocol?: 'TCP' | 'UDP' | 'SCTP'): number[] =>
      resolveBackend(
        { cluster: state, mode: 'nodeport', nodeAddresses: addresses },
        { namespace: 'ns', service: 'web', servicePort: 53, ...(protocol ? { protocol } : {}) },
      ).members.map((m) => m.port);
    assert.deepEqual(ports(), [30053, 30053], 'no protocol means TCP');
    assert.deepEqual(ports('UDP'), [31053, 31053]);
    assert.deepEqual(ports('SCTP'), [30053, 30053], 'no SCTP port: the first match, as CIS');
  });

  it('appends static members, sorted and without duplicates', () => {
    const state = stateWith([...nodes, service('ns', 'web', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] })]);
    const addresses = nodeAddresses(state.nodes(), {
      selector: mustParseLabelSelector(''),
      useNodeInternal: true,
      includeUnschedulable: true,
    });
    const backend = {
      namespace: 'ns',
      service: 'web',
      servicePort: 80,
      staticMembers: [
        { address: '10.0.0.1', port: 30080 },
        { address: '192.0.2.10', port: 8080 },
      ],
    };
    const { members } = resolveBackend({ cluster: state, mode: 'nodeport', nodeAddresses: addresses }, backend);
    assert.deepEqual(members, [
      { address: '10.0.0.1', port: 30080 },
      { address: '10.0.0.2', port: 30080 },
      { address: '192.0.2.10', port: 8080 },
    ]);
  });

  it('an ExternalName Service is an error in every mode', () => {
    for (const mode of ['nodeport', 'cluster', 'nodeportlocal', 'auto'] as const) {
      const state = stateWith([service('ns', 'web', { type: 'ExternalName' })]);
      const { members, problems } = resolve(state, mode);
      assert.deepEqual(members, []);
      assert.match(problems[0]?.message ?? '', /is of type ExternalName/, mode);
    }
  });

  it('a missing Service is a warning, not an error', () => {
    const { members, problems } = resolve(stateWith([]), 'cluster');
    assert.deepEqual(members, []);
    assert.deepEqual(
      problems.map((p) => [p.severity, p.field]),
      [['warning', 'service']],
    );
  });
});
