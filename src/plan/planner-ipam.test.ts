import assert from 'node:assert/strict';
import { validateConfig } from '../config/parse-config.js';
import { ClusterState } from '../inventory/cluster-state.js';
import { service, slice, virtualServer } from '../../test/support/fixtures.js';
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
});
