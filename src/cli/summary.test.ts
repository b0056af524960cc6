import assert from 'node:assert/strict';
import { validateConfig } from '../config/parse-config.js';
import { ClusterState } from '../inventory/cluster-state.js';
import { Planner } from '../plan/planner.js';
import { service, slice, virtualServer } from '../../test/support/fixtures.js';
import { renderSummary } from './summary.js';

describe('renderSummary: what happens to invalid resources', () => {
  const config = validateConfig({ poolMemberType: 'cluster' }).config;
  const state = (lb: string): ClusterState => {
    const s = new ClusterState('c1');
    s.upsert(service('ns', 'web', { ports: [{ name: 'http', port: 80, targetPort: 8080 }] }), 'Service');
    s.upsert(slice('ns', 'web-a', 'web', ['172.16.0.1']), 'EndpointSlice');
    s.upsert(
      virtualServer('ns', 'vs', {
        virtualServerAddress: '10.1.1.1',
        pools: [{ service: 'web', servicePort: 80, loadBalancingMethod: lb }],
      }),
      'VirtualServer',
    );
    return s;
  };

  it('a running planner marks the rows it plans from the last good version, with that version', () => {
    assert.ok(config);
    const planner = new Planner(config);
    const cluster = state('round-robin');
    planner.plan(cluster);
    cluster.upsert(
      virtualServer('ns', 'vs', {
        virtualServerAddress: '10.1.1.1',
        pools: [{ service: 'web', servicePort: 80, loadBalancingMethod: 'fastest-guess' }],
      }),
      'VirtualServer',
    );
    const plan = planner.plan(cluster);
    const text = renderSummary(plan, plan.diagnostics);
    assert.match(text, /VirtualServer ns\/vs \(kept: sha256:[0-9a-f]{12}\)$/m);
    assert.doesNotMatch(text, /KEPT AS THE BIG-IP HAS THEM/);
  });

  it('a plan without memory (the CLI) lists the invalid resources whose BIG-IP version diff, apply and run keep', () => {
    assert.ok(config);
    const plan = new Planner(config).plan(state('fastest-guess'));
    assert.match(
      renderSummary(plan, plan.diagnostics),
      /^KEPT AS THE BIG-IP HAS THEM \(invalid: diff, apply and run leave their last good version in place until fixed or deleted\)\n {2}VirtualServer ns\/vs$/m,
    );
  });
});
