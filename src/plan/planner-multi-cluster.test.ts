import assert from 'node:assert/strict';
import type { Config } from '../config/config.js';
import { validateConfig } from '../config/parse-config.js';
import { ClusterSet } from '../inventory/cluster-set.js';
import { ClusterState } from '../inventory/cluster-state.js';
import { node, service, slice, virtualServer } from '../../test/support/fixtures.js';
import { Planner } from './planner.js';
import type { Plan } from './plan.js';

function config(multiCluster: object, extra: object = {}): Config {
  const result = validateConfig({ poolMemberType: 'cluster', multiCluster, ...extra });
  assert.ok(result.config, JSON.stringify(result.errors));
  return result.config;
}

const TWO = { mode: 'active-active', clusters: [{ name: 'east' }, { name: 'west' }] };

/** Both clusters run web (and east also api) behind two VirtualServers kept identical in both. */
function clusters(): Map<string, ClusterState> {
  const states = new Map<string, ClusterState>();
  for (const [name, subnet] of [
    ['east', '10.1'],
    ['west', '10.2'],
  ] as const) {
    const state = new ClusterState(name);
    for (const app of name === 'east' ? ['web', 'api'] : ['web']) {
      state.upsert(service('shop', app, { ports: [{ name: 'http', port: 80, targetPort: 8080 }] }), 'Service');
      state.upsert(slice('shop', `${app}-a`, app, [`${subnet}.${app === 'web' ? 0 : 1}.1`]), 'EndpointSlice');
      state.upsert(
        virtualServer('shop', app, {
          host: `${app}.example.com`,
          virtualServerAddress: app === 'web' ? '10.8.0.1' : '10.8.0.2',
          pools: [{ service: app, servicePort: 80 }],
        }),
        'VirtualServer',
      );
    }
    states.set(name, state);
  }
  return states;
}

function setOf(cfg: Config, states: Map<string, ClusterState>): ClusterSet {
  return ClusterSet.fromConfig(cfg.multiCluster as NonNullable<Config['multiCluster']>, states);
}

function pool(
  plan: Plan,
  app: string,
  name: string,
): { members: Array<Record<string, unknown>>; minimumMembersActive?: number; loadBalancingMode: string } {
  return ((plan.declaration.declaration['kubernetes'] as Record<string, Record<string, unknown>>)[app] as Record<string, unknown>)[
    name
  ] as ReturnType<typeof pool>;
}

describe('Planner with a cluster set', () => {
  it('an endpoint change in one cluster re-translates only the application that uses the Service, and equals a cold plan', () => {
    const cfg = config(TWO);
    const states = clusters();
    const planner = new Planner(cfg);
    assert.equal(planner.plan(setOf(cfg, states)).translated, 2);
    states.get('west')?.upsert(slice('shop', 'web-a', 'web', ['10.2.0.1', '10.2.0.2']), 'EndpointSlice');
    const plan = planner.plan(setOf(cfg, states));
    assert.equal(plan.translated, 1);
    assert.deepEqual(
      pool(plan, 'crd_10_8_0_1_80', 'web_80_shop').members.map((m) => [m['serverAddresses'], m['remark']]),
      [
        [['10.1.0.1'], 'cluster east'],
        [['10.2.0.1', '10.2.0.2'], 'cluster west'],
      ],
    );
    assert.equal(JSON.stringify(plan.declaration), JSON.stringify(new Planner(cfg).plan(setOf(cfg, states)).declaration));
    assert.equal(planner.plan(setOf(cfg, states)).translated, 0, 'nothing changed: nothing translated');
  });

  it("a later cluster's copy that starts to differ is reported; the first cluster's copy stays in use", () => {
    const cfg = config(TWO);
    const states = clusters();
    const planner = new Planner(cfg);
    assert.deepEqual(planner.plan(setOf(cfg, states)).diagnostics, []);
    states.get('west')?.upsert(
      virtualServer('shop', 'web', {
        host: 'web.example.com',
        virtualServerAddress: '10.8.0.9',
        pools: [{ service: 'web', servicePort: 80 }],
      }),
      'VirtualServer',
    );
    const plan = planner.plan(setOf(cfg, states));
    assert.deepEqual(
      plan.diagnostics.map((d) => [d.ref.cluster, d.ref.name, d.severity]),
      [['west', 'web', 'error']],
    );
    assert.ok(pool(plan, 'crd_10_8_0_1_80', 'web_80_shop'), "east's address is the one used");
  });

  it("changing a cluster's admin state or the mode re-plans every pool", () => {
    const states = clusters();
    const planner = new Planner(config(TWO));
    planner.plan(setOf(config(TWO), states));
    const drained = config({ ...TWO, clusters: [{ name: 'east' }, { name: 'west', adminState: 'disable' }] });
    const plan = planner.plan(setOf(drained, states));
    assert.deepEqual(
      pool(plan, 'crd_10_8_0_1_80', 'web_80_shop').members.map((m) => m['adminState']),
      [undefined, 'disable'],
    );
    const standby = config({ mode: 'active-standby', clusters: [{ name: 'east' }, { name: 'west', primary: true }] });
    const failover = new Planner(standby).plan(setOf(standby, states));
    const web = pool(failover, 'crd_10_8_0_1_80', 'web_80_shop');
    assert.deepEqual(
      [web.minimumMembersActive, web.members.map((m) => [m['remark'], m['priorityGroup']])],
      [
        1,
        [
          ['cluster west', 2],
          ['cluster east', 1],
        ],
      ],
    );
  });

  it("a node change in one cluster re-translates node-port pools with that cluster's nodes only", () => {
    const cfg = config(TWO, { poolMemberType: 'nodeport' });
    const states = new Map<string, ClusterState>();
    for (const [name, ip] of [
      ['east', '10.11.0.1'],
      ['west', '10.12.0.1'],
    ] as const) {
      const state = new ClusterState(name);
      state.upsert(node(`${name}-n1`, ip), 'Node');
      state.upsert(
        service('shop', 'web', {
          type: 'NodePort',
          ports: [{ name: 'http', port: 80, targetPort: 8080, nodePort: name === 'east' ? 30080 : 31080 }],
        }),
        'Service',
      );
      state.upsert(
        virtualServer('shop', 'web', { virtualServerAddress: '10.8.0.1', pools: [{ service: 'web', servicePort: 80 }] }),
        'VirtualServer',
      );
      states.set(name, state);
    }
    const planner = new Planner(cfg);
    planner.plan(setOf(cfg, states));
    states.get('west')?.upsert(node('west-n2', '10.12.0.2'), 'Node');
    const plan = planner.plan(setOf(cfg, states));
    assert.equal(plan.translated, 1);
    assert.deepEqual(
      pool(plan, 'crd_10_8_0_1_80', 'web_80_shop').members.map((m) => [m['servicePort'], m['serverAddresses']]),
      [
        [30080, ['10.11.0.1']],
        [31080, ['10.12.0.1', '10.12.0.2']],
      ],
    );
  });

  it('plans a single ClusterState as before: no cluster marks on members', () => {
    const east = clusters().get('east') as ClusterState;
    const plan = new Planner(config(TWO, { multiCluster: undefined })).plan(east);
    assert.deepEqual(pool(plan, 'crd_10_8_0_1_80', 'web_80_shop').members, [
      { servicePort: 8080, serverAddresses: ['10.1.0.1'], shareNodes: true },
    ]);
  });

  it('resources(): each resource with its addresses, once per cluster whose copy is in use', () => {
    const cfg = config(TWO);
    const states = clusters();
    states.get('west')?.upsert(
      virtualServer('shop', 'api', {
        host: 'api.example.com',
        virtualServerAddress: '10.8.0.9',
        pools: [{ service: 'api', servicePort: 80 }],
      }),
      'VirtualServer',
    );
    const plan = new Planner(cfg).plan(setOf(cfg, states));
    const rows = plan
      .resources()
      .map((r) => `${r.ref.kind} ${r.ref.name} ${r.ref.cluster ?? '-'} ${r.addresses.join(',')}`)
      .sort();
    assert.deepEqual(
      rows,
      ['VirtualServer api east 10.8.0.2', 'VirtualServer web east 10.8.0.1', 'VirtualServer web west 10.8.0.1'],
      "west's api differs: only east's copy is in use",
    );
    const single = new Planner(config(TWO, { multiCluster: undefined })).plan(states.get('east') as ClusterState);
    assert.deepEqual(
      single
        .resources()
        .map((r) => [r.ref.name, r.ref.cluster, r.addresses])
        .sort(),
      [
        ['api', undefined, ['10.8.0.2']],
        ['web', undefined, ['10.8.0.1']],
      ],
    );
  });
});
