import assert from 'node:assert/strict';
import { validateConfig } from '../config/parse-config.js';
import { ClusterState } from '../inventory/cluster-state.js';
import { formatDiagnostic } from '../kube/diagnostic.js';
import { desiredStatuses } from '../status/resource-status.js';
import { service, slice, transportServer, virtualServer } from '../../test/support/fixtures.js';
import { Planner } from './planner.js';

describe('Planner and IPAM state from a store', () => {
  const result = validateConfig({ poolMemberType: 'cluster', ipam: { ranges: { prod: ['10.1.2.10-10.1.2.20'] } } });
  assert.ok(result.config);
  const config = result.config;
  const state = new ClusterState('c1');
  state.upsert(service('shop', 'web', { ports: [{ name: 'http', port: 80, targetPort: 8080 }] }), 'Service');
  state.upsert(slice('shop', 'web-a', 'web', ['172.16.0.1']), 'EndpointSlice');
  state.upsert(
    virtualServer('shop', 'web', { host: 'web.example.com', ipamLabel: 'prod', pools: [{ service: 'web', servicePort: 80 }] }),
    'VirtualServer',
  );

  it('replaceIpamState: the next plan uses the allocations another writer stored', () => {
    const planner = new Planner(config);
    const first = planner.plan(state);
    assert.deepEqual(
      first.resources().map((r) => r.addresses),
      [['10.1.2.10']],
    );
    assert.equal(first.ipam?.changed, true);
    planner.replaceIpamState({ allocations: { 'shop/web.example.com_host': { label: 'prod', address: '10.1.2.15' } }, releasing: {} });
    const second = planner.plan(state);
    assert.deepEqual(
      second.resources().map((r) => r.addresses),
      [['10.1.2.15']],
    );
    assert.equal(second.ipam?.changed, false, 'nothing new to store');
    assert.ok(second.tenants.get('kubernetes')?.['crd_10_1_2_15_80']);
  });

  it('reserves an address written in any spelling by its canonical form (RFC 5952; IPv4-mapped as IPv4)', () => {
    const ranges = validateConfig({
      poolMemberType: 'cluster',
      ipam: { ranges: { v6: ['2001:db8:1::/120'], prod: ['10.1.2.10-10.1.2.20'] } },
    });
    assert.ok(ranges.config);
    const spelled = new ClusterState('c1');
    spelled.upsert(service('shop', 'web', { ports: [{ name: 'http', port: 80, targetPort: 8080 }] }), 'Service');
    spelled.upsert(
      virtualServer(
        'shop',
        'a',
        {
          host: 'a.example.com',
          ipamLabel: 'v6',
          virtualServerAddress: '2001:DB8:1:0::0001',
          pools: [{ service: 'web', servicePort: 80 }],
        },
        '2026-01-01T00:00:00Z',
      ),
      'VirtualServer',
    );
    spelled.upsert(
      virtualServer(
        'shop',
        'b',
        { host: 'b.example.com', ipamLabel: 'v6', pools: [{ service: 'web', servicePort: 80 }] },
        '2026-01-02T00:00:00Z',
      ),
      'VirtualServer',
    );
    spelled.upsert(
      transportServer(
        'shop',
        'db',
        { ipamLabel: 'prod', virtualServerAddress: '::ffff:10.1.2.10', virtualServerPort: 5432, pool: { service: 'web', servicePort: 80 } },
        '2026-01-03T00:00:00Z',
      ),
      'TransportServer',
    );
    spelled.upsert(
      virtualServer(
        'shop',
        'c',
        { host: 'c.example.com', ipamLabel: 'prod', pools: [{ service: 'web', servicePort: 80 }] },
        '2026-01-04T00:00:00Z',
      ),
      'VirtualServer',
    );
    const plan = new Planner(ranges.config).plan(spelled);
    const addresses = Object.fromEntries(plan.resources().map((r) => [`${r.ref.kind}/${r.ref.name}`, r.addresses]));
    assert.deepEqual(addresses, {
      'VirtualServer/a': ['2001:db8:1::1'],
      'VirtualServer/b': ['2001:db8:1::2'],
      'TransportServer/db': ['10.1.2.10'],
      'VirtualServer/c': ['10.1.2.11'],
    });
    assert.deepEqual([...Object.keys(plan.tenants.get('kubernetes') ?? {})].filter((k) => k.startsWith('crd_')).sort(), [
      'crd_10_1_2_10_5432',
      'crd_10_1_2_11_80',
      'crd_2001_db8_1__1_80',
      'crd_2001_db8_1__2_80',
    ]);
  });

  describe('an address IPAM would not give today is kept, with a warning', () => {
    const kept = { allocations: { 'shop/web.example.com_host': { label: 'prod', address: '10.1.9.9' } }, releasing: {} };
    const relabelled = { allocations: { 'shop/web.example.com_host': { label: 'old', address: '10.1.9.9' } }, releasing: {} };
    const cases: Array<[string, typeof kept, RegExp]> = [
      [
        'the ranges shrank',
        kept,
        /^VirtualServer shop\/web: warning: spec\.ipamLabel: keeps address 10\.1\.9\.9 although it is outside the ranges of IPAM label "prod" \(10\.1\.2\.10-10\.1\.2\.20\): IPAM never moves a live address by itself\. To move it, delete "shop\/web\.example\.com_host" from the IPAM allocations/,
      ],
      [
        'the label changed',
        relabelled,
        /^VirtualServer shop\/web: warning: spec\.ipamLabel: keeps address 10\.1\.9\.9 although it was allocated under IPAM label "old" and the resource now asks for label "prod": .*or set ipam\.reallocate: true in the config$/,
      ],
    ];
    for (const [title, stored, message] of cases) {
      it(`when ${title}: the virtual stays on its address, the plan warns, the status says AppliedWithWarnings`, () => {
        const plan = new Planner(config, { ipamState: stored }).plan(state);
        assert.deepEqual(
          plan.resources().map((r) => r.addresses),
          [['10.1.9.9']],
        );
        assert.ok(plan.tenants.get('kubernetes')?.['crd_10_1_9_9_80']);
        assert.deepEqual(
          plan.diagnostics.map((d) => d.severity),
          ['warning'],
        );
        assert.match(formatDiagnostic(plan.diagnostics[0]!), message);
        assert.deepEqual(plan.ipam?.state, stored);
        assert.equal(plan.ipam?.changed, false);
        const [status] = desiredStatuses({
          resources: plan.resources(),
          problems: plan.diagnostics,
          applyProblems: [],
          now: '2026-01-01T00:00:00Z',
        });
        assert.equal(status?.status['status'], 'Ok');
        assert.equal(status?.status['vsAddress'], '10.1.9.9');
        const ready = (status?.status['conditions'] as Array<Record<string, unknown>>)[0];
        assert.equal(ready?.['reason'], 'AppliedWithWarnings');
        assert.match(String(ready?.['message']), /keeps address 10\.1\.9\.9/);
      });
    }

    it('with ipam.reallocate: true the virtual moves into the ranges, without a warning', () => {
      const moving = validateConfig({ poolMemberType: 'cluster', ipam: { ranges: { prod: ['10.1.2.10-10.1.2.20'] }, reallocate: true } });
      assert.ok(moving.config);
      const plan = new Planner(moving.config, { ipamState: kept }).plan(state);
      assert.deepEqual(
        plan.resources().map((r) => r.addresses),
        [['10.1.2.10']],
      );
      assert.deepEqual(plan.diagnostics, []);
      assert.deepEqual(plan.ipam?.state.releasing, kept.allocations, 'the old address stays taken until an apply');
    });
  });
});
