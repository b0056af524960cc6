import assert from 'node:assert/strict';
import { validateConfig } from '../config/parse-config.js';
import { ClusterState } from '../inventory/cluster-state.js';
import { service, slice, transportServer, virtualServer } from '../../test/support/fixtures.js';
import { Planner } from './planner.js';

describe('Planner and IPAM state from a store', () => {
  const result = validateConfig({ poolMemberType: 'cluster', ipam: { ranges: { prod: ['10.1.2.10-10.1.2.20'] } } });
  assert.ok(result.config);
  const config = result.config;
  const state = new ClusterState('c1');
  state.upsert(service('shop', 'web', { ports: [{ name: 'http', port: 80, targetPort: 8080 }] }), 'Service');
  state.upsert(slice('shop', 'web-a', 'web', ['172.16.0.1']), 'EndpointSlice');
  state.upsert(virtualServer('shop', 'web', { host: 'web.example.com', ipamLabel: 'prod', pools: [{ service: 'web', servicePort: 80 }] }), 'VirtualServer');

  it('replaceIpamState: the next plan uses the allocations another writer stored', () => {
    const planner = new Planner(config);
    const first = planner.plan(state);
    assert.deepEqual(first.resources().map((r) => r.addresses), [['10.1.2.10']]);
    assert.equal(first.ipam?.changed, true);
    planner.replaceIpamState({ allocations: { 'shop/web.example.com_host': { label: 'prod', address: '10.1.2.15' } }, releasing: {} });
    const second = planner.plan(state);
    assert.deepEqual(second.resources().map((r) => r.addresses), [['10.1.2.15']]);
    assert.equal(second.ipam?.changed, false, 'nothing new to store');
    assert.ok(second.tenants.get('kubernetes')?.['crd_10_1_2_15_80']);
  });

  it('reserves an address written in any spelling by its canonical form (RFC 5952; IPv4-mapped as IPv4)', () => {
    const ranges = validateConfig({ poolMemberType: 'cluster', ipam: { ranges: { v6: ['2001:db8:1::/120'], prod: ['10.1.2.10-10.1.2.20'] } } });
    assert.ok(ranges.config);
    const spelled = new ClusterState('c1');
    spelled.upsert(service('shop', 'web', { ports: [{ name: 'http', port: 80, targetPort: 8080 }] }), 'Service');
    spelled.upsert(virtualServer('shop', 'a', { host: 'a.example.com', ipamLabel: 'v6', virtualServerAddress: '2001:DB8:1:0::0001', pools: [{ service: 'web', servicePort: 80 }] }, '2026-01-01T00:00:00Z'), 'VirtualServer');
    spelled.upsert(virtualServer('shop', 'b', { host: 'b.example.com', ipamLabel: 'v6', pools: [{ service: 'web', servicePort: 80 }] }, '2026-01-02T00:00:00Z'), 'VirtualServer');
    spelled.upsert(transportServer('shop', 'db', { ipamLabel: 'prod', virtualServerAddress: '::ffff:10.1.2.10', virtualServerPort: 5432, pool: { service: 'web', servicePort: 80 } }, '2026-01-03T00:00:00Z'), 'TransportServer');
    spelled.upsert(virtualServer('shop', 'c', { host: 'c.example.com', ipamLabel: 'prod', pools: [{ service: 'web', servicePort: 80 }] }, '2026-01-04T00:00:00Z'), 'VirtualServer');
    const plan = new Planner(ranges.config).plan(spelled);
    const addresses = Object.fromEntries(plan.resources().map((r) => [`${r.ref.kind}/${r.ref.name}`, r.addresses]));
    assert.deepEqual(addresses, {
      'VirtualServer/a': ['2001:db8:1::1'], 'VirtualServer/b': ['2001:db8:1::2'], 'TransportServer/db': ['10.1.2.10'], 'VirtualServer/c': ['10.1.2.11'],
    });
    assert.deepEqual([...Object.keys(plan.tenants.get('kubernetes') ?? {})].filter((k) => k.startsWith('crd_')).sort(), [
      'crd_10_1_2_10_5432', 'crd_10_1_2_11_80', 'crd_2001_db8_1__1_80', 'crd_2001_db8_1__2_80',
    ]);
  });
});
