import assert from 'node:assert/strict';
import type { ObjectRef } from '../kube/refs.js';
import type { VirtualServerPoolSpec } from '../kube/types.js';
import type { Route } from '../model/virtual.js';
import { FieldReader } from './fields.js';
import { poolRoute } from './virtual-server-routes.js';
import type { RouteDefaults } from './virtual-server-routes.js';

const source: ObjectRef = { kind: 'VirtualServer', namespace: 'shop', name: 'shop' };
const DEFAULTS: RouteDefaults = { hosts: ['shop.example.com'], source, maxWeight: 256 };

function read(pool: Record<string, unknown>, defaults: RouteDefaults = DEFAULTS): { route: Route | undefined; reader: FieldReader } {
  const reader = new FieldReader(source);
  const route = poolRoute(reader, 'spec.pools[0]', { service: 'web', servicePort: 80, ...pool } as VirtualServerPoolSpec, defaults, 'http');
  return { route, reader };
}

describe('poolRoute: weights and alternateBackends', () => {
  it('gives the primary weight 100 and each alternate its own weight (100 when absent)', () => {
    const { route, reader } = read({ weight: 70, alternateBackends: [{ service: 'api', weight: 30 }, { service: 'next' }] });
    assert.deepEqual(reader.diagnostics, []);
    assert.equal(route?.weight, 70);
    assert.deepEqual(
      route?.alternates?.map((a) => [a.backend.service, a.backend.servicePort, a.weight, a.field]),
      [
        ['api', 80, 30, 'spec.pools[0].alternateBackends[0]'],
        ['next', 80, 100, 'spec.pools[0].alternateBackends[1]'],
      ],
    );
  });

  const zero: Array<[string, Record<string, unknown>]> = [
    ['the primary and its only alternate', { weight: 0, alternateBackends: [{ service: 'api', weight: 0 }] }],
    [
      'the primary and every alternate',
      {
        weight: 0,
        alternateBackends: [
          { service: 'api', weight: 0 },
          { service: 'static', weight: 0 },
        ],
      },
    ],
  ];
  for (const [what, pool] of zero) {
    it(`rejects weight 0 on ${what} at the route's weight`, () => {
      const { route, reader } = read(pool);
      assert.equal(route, undefined);
      assert.deepEqual(
        reader.diagnostics.map((d) => [d.severity, d.field]),
        [['error', 'spec.pools[0].weight']],
      );
      assert.match(
        reader.diagnostics[0]?.message ?? '',
        /^every backend has weight 0, so no request or connection could be served; give at least one backend a weight above 0$/,
      );
    });
  }

  const someTraffic: Array<[string, Record<string, unknown>, number]> = [
    ['a primary of weight 0 with a weighted alternate', { weight: 0, alternateBackends: [{ service: 'api', weight: 1 }] }, 0],
    ['alternates of weight 0 with the default primary weight', { alternateBackends: [{ service: 'api', weight: 0 }] }, 100],
  ];
  for (const [what, pool, primary] of someTraffic) {
    it(`accepts ${what}`, () => {
      const { route, reader } = read(pool);
      assert.deepEqual(reader.diagnostics, []);
      assert.equal(route?.weight, primary);
    });
  }

  it('honours the largest weight of the resource kind (100 for TransportServers)', () => {
    const { route, reader } = read({ weight: 101, alternateBackends: [{ service: 'api' }] }, { ...DEFAULTS, maxWeight: 100 });
    assert.equal(route, undefined);
    assert.deepEqual(
      reader.diagnostics.map((d) => [d.field, d.message]),
      [['spec.pools[0].weight', '101 must be a whole number from 0 to 100']],
    );
  });

  it('warns about a weight without alternateBackends and keeps the route unweighted', () => {
    const { route, reader } = read({ weight: 50 });
    assert.equal(route?.weight, undefined);
    assert.deepEqual(
      reader.diagnostics.map((d) => [d.severity, d.field, d.message]),
      [
        [
          'warning',
          'spec.pools[0].weight',
          'ignored: a weight only matters together with alternateBackends; remove it, or add alternateBackends',
        ],
      ],
    );
  });

  it('ignores multiClusterServices, with a warning, when no cluster set is configured', () => {
    const { route, reader } = read({ multiClusterServices: [{ clusterName: 'b', service: 'web', namespace: 'shop' }] });
    assert.ok(route);
    assert.deepEqual(
      reader.diagnostics.map((d) => [d.severity, d.field, d.message]),
      [
        [
          'warning',
          'spec.pools[0].multiClusterServices',
          'ignored: no cluster set is configured; configure multiCluster in the config file with the clusters it names, or remove the field',
        ],
      ],
    );
  });

  it('reads the pool settings a pool entry has, not slowRampTime (a Policy poolSettings field)', () => {
    const { route, reader } = read(
      { reselectTries: 2, serviceDownAction: 'reset', slowRampTime: 30 },
      { ...DEFAULTS, policyPool: { slowRampTime: 60, reselectTries: 5 } },
    );
    assert.deepEqual(reader.diagnostics, []);
    assert.deepEqual(route?.pool, { slowRampTime: 60, reselectTries: 2, serviceDownAction: 'reset' });
  });
});
