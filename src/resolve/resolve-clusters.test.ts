import assert from 'node:assert/strict';
import type { AdminState } from '../config/config.js';
import type { ClusterEntry, ClusterSetMode } from '../inventory/cluster-set.js';
import { ClusterState } from '../inventory/cluster-state.js';
import type { KnownKind, KubeObject } from '../kube/types.js';
import type { BackendRef } from '../model/virtual.js';
import { service, slice } from '../../test/support/fixtures.js';
import type { ClusterScope } from './resolve-clusters.js';
import { resolveAcrossClusters } from './resolve-clusters.js';

interface ClusterSpec {
  name: string;
  /** Pod addresses of Service ns/web; undefined: the cluster has no such Service. */
  pods?: string[];
  adminState?: AdminState;
  unreadable?: string;
}

/** Scopes in list order, rank = list position; each cluster's Service ns/web has the given pods. */
function scopes(...specs: ClusterSpec[]): ClusterScope[] {
  return specs.map((spec, rank) => {
    const state = new ClusterState(spec.name);
    const objects: KubeObject[] = spec.pods ? [service('ns', 'web'), slice('ns', 'web-1', 'web', spec.pods)] : [];
    for (const o of objects) state.upsert(o, o.kind as KnownKind);
    const entry: ClusterEntry = {
      name: spec.name,
      state,
      ratio: rank + 1,
      adminState: spec.adminState ?? 'enable',
      rank,
      ...(spec.unreadable === undefined ? {} : { unreadable: spec.unreadable }),
    };
    return { entry, ctx: { cluster: state, mode: 'cluster', nodeAddresses: [] } };
  });
}

const web: BackendRef = { namespace: 'ns', service: 'web', servicePort: 80 };

function resolve(
  all: ClusterScope[],
  mode: ClusterSetMode,
  backend: BackendRef = web,
  only?: string,
): ReturnType<typeof resolveAcrossClusters> {
  return resolveAcrossClusters(all, { mode, local: all[0]?.entry.name ?? '' }, backend, only);
}

/** cluster → member addresses, for compact assertions. */
function addresses(result: ReturnType<typeof resolveAcrossClusters>): Record<string, string[]> {
  return Object.fromEntries(result.clusters.map((c) => [c.cluster ?? '(none)', c.members.map((m) => m.address)]));
}

describe('resolveAcrossClusters', () => {
  it("single: the one cluster's members, untagged, with the plain problems", () => {
    const [scope] = scopes({ name: 'local', pods: ['10.1.0.2', '10.1.0.1'] });
    const result = resolveAcrossClusters([scope as ClusterScope], { mode: 'single', local: 'local' }, web);
    assert.deepEqual(result, {
      clusters: [
        {
          members: [
            { address: '10.1.0.1', port: 8080 },
            { address: '10.1.0.2', port: 8080 },
          ],
          found: true,
          ratio: 1,
          rank: 0,
        },
      ],
      problems: [],
    });
    const missing = resolveAcrossClusters(scopes({ name: 'local' }), { mode: 'single', local: 'local' }, web);
    assert.equal(missing.clusters[0]?.found, false);
    assert.deepEqual(missing.problems, [
      { severity: 'warning', field: 'service', message: 'Service ns/web not found; its endpoints are not in the pool until it exists' },
    ]);
  });

  it("multi: every cluster's members, each tagged with its cluster, with the cluster's ratio and rank", () => {
    const result = resolve(scopes({ name: 'east', pods: ['10.1.0.1'] }, { name: 'west', pods: ['10.2.0.1', '10.2.0.2'] }), 'active-active');
    assert.deepEqual(result.problems, []);
    assert.deepEqual(result.clusters, [
      { cluster: 'east', members: [{ address: '10.1.0.1', port: 8080, cluster: 'east' }], found: true, ratio: 1, rank: 0 },
      {
        cluster: 'west',
        members: [
          { address: '10.2.0.1', port: 8080, cluster: 'west' },
          { address: '10.2.0.2', port: 8080, cluster: 'west' },
        ],
        found: true,
        ratio: 2,
        rank: 1,
      },
    ]);
  });

  const adminStates: Array<[AdminState, string | undefined]> = [
    ['enable', undefined],
    ['disable', 'disable'],
    ['offline', 'offline'],
  ];
  for (const [state, member] of adminStates) {
    it(`gives the members of a cluster in admin state ${state} ${member === undefined ? 'no adminState' : `adminState ${member}`}`, () => {
      const result = resolve(
        scopes({ name: 'east', pods: ['10.1.0.1'] }, { name: 'west', pods: ['10.2.0.1'], adminState: state }),
        'ratio',
      );
      assert.equal(result.clusters[0]?.members[0]?.adminState, undefined);
      assert.equal(result.clusters[1]?.members[0]?.adminState, member);
    });
  }

  it('leaves out a cluster in admin state no-pool', () => {
    const result = resolve(
      scopes({ name: 'east', pods: ['10.1.0.1'] }, { name: 'west', pods: ['10.2.0.1'], adminState: 'no-pool' }),
      'active-active',
    );
    assert.deepEqual(addresses(result), { east: ['10.1.0.1'] });
  });

  it("active-standby: priority group = cluster count − rank, so the primary's members are highest", () => {
    const all = scopes({ name: 'a', pods: ['10.1.0.1'] }, { name: 'b', pods: ['10.2.0.1'] }, { name: 'c', pods: ['10.3.0.1'] });
    (all[0] as ClusterScope).entry.rank = 2;
    (all[2] as ClusterScope).entry.rank = 0;
    const result = resolve(all, 'active-standby');
    assert.deepEqual(
      result.clusters.map((c) => [c.cluster, c.members[0]?.priorityGroup]),
      [
        ['a', 1],
        ['b', 2],
        ['c', 3],
      ],
    );
    const active = resolve(scopes({ name: 'a', pods: ['10.1.0.1'] }), 'active-active');
    assert.equal(active.clusters[0]?.members[0]?.priorityGroup, undefined, 'no priority groups in other modes');
  });

  describe('which clusters are looked in', () => {
    const three = (): ClusterScope[] =>
      scopes({ name: 'east', pods: ['10.1.0.1'] }, { name: 'west', pods: ['10.2.0.1'] }, { name: 'south', pods: ['10.3.0.1'] });
    const cases: Array<[string, ClusterSetMode, string | undefined, string | undefined, string[]]> = [
      ['default mode: the local cluster only', 'default', undefined, undefined, ['west']],
      ['default mode with `only`: the named cluster', 'default', 'west', 'south', ['south']],
      ['active-active with `only`: the named cluster', 'active-active', undefined, 'west', ['west']],
      ['ratio with `only`: the named cluster', 'ratio', undefined, 'east', ['east']],
      ['active-active without `only`: all', 'active-active', undefined, undefined, ['east', 'west', 'south']],
    ];
    for (const [what, mode, local, only, expected] of cases) {
      it(what, () => {
        const all = three();
        const result = resolveAcrossClusters(all, { mode, local: local ?? 'west' }, web, only);
        assert.deepEqual(
          result.clusters.map((c) => c.cluster),
          expected,
        );
      });
    }
  });

  describe('missing Services', () => {
    it('is no problem when some clusters have the Service', () => {
      const result = resolve(scopes({ name: 'east' }, { name: 'west', pods: ['10.2.0.1'] }), 'active-active');
      assert.deepEqual(result.problems, []);
      assert.deepEqual(
        result.clusters.map((c) => [c.cluster, c.found, c.members.length]),
        [
          ['east', false, 0],
          ['west', true, 1],
        ],
      );
    });

    it('is one warning naming the clusters when none has it', () => {
      const result = resolve(scopes({ name: 'east' }, { name: 'west' }), 'active-active');
      assert.deepEqual(result.problems, [
        {
          severity: 'warning',
          field: 'service',
          message: 'Service ns/web not found in clusters east, west; its endpoints are not in the pool until it exists',
        },
      ]);
      const one = resolve(scopes({ name: 'east' }), 'active-active');
      assert.match(one.problems[0]?.message ?? '', /^Service ns\/web not found in cluster east;/);
    });

    it('does not name unreadable clusters: their Services are unknown, not missing', () => {
      const result = resolve(scopes({ name: 'east', unreadable: 'down' }, { name: 'west' }), 'active-active');
      assert.deepEqual(
        result.problems.map((p) => p.message),
        ['Service ns/web not found in cluster west; its endpoints are not in the pool until it exists'],
      );
      assert.deepEqual(
        resolve(scopes({ name: 'east', unreadable: 'down' }), 'active-active').problems,
        [],
        'nothing known, nothing to say',
      );
    });
  });

  it('prefixes other problems with the cluster they come from', () => {
    const result = resolve(scopes({ name: 'east', pods: ['10.1.0.1'] }, { name: 'west', pods: ['10.2.0.1'] }), 'active-active', {
      ...web,
      servicePort: 9999,
    });
    assert.deepEqual(
      result.problems.map((p) => [p.severity, p.field]),
      [
        ['error', 'servicePort'],
        ['error', 'servicePort'],
      ],
    );
    assert.match(result.problems[0]?.message ?? '', /^cluster east: 9999 is not a port of Service ns\/web/);
    assert.match(result.problems[1]?.message ?? '', /^cluster west: 9999 is not a port of Service ns\/web/);
  });

  it('adds static members once, with the first cluster that gives members', () => {
    const backend: BackendRef = { ...web, staticMembers: [{ address: '192.0.2.10', port: 80 }] };
    const result = resolve(scopes({ name: 'east', pods: ['10.1.0.1'] }, { name: 'west', pods: ['10.2.0.1'] }), 'active-active', backend);
    assert.deepEqual(addresses(result), { east: ['10.1.0.1', '192.0.2.10'], west: ['10.2.0.1'] });
    const skipped = resolve(scopes({ name: 'east', adminState: 'no-pool' }, { name: 'west' }), 'active-active', backend);
    assert.deepEqual(addresses(skipped), { west: ['192.0.2.10'] }, 'a no-pool cluster does not swallow them');
  });

  it("leaves static members unmarked: not drained with the first cluster, in the primary's group in active-standby", () => {
    const backend: BackendRef = { ...web, staticMembers: [{ address: '192.0.2.10', port: 80 }] };
    const result = resolve(
      scopes({ name: 'east', pods: ['10.1.0.1'], adminState: 'disable' }, { name: 'west', pods: ['10.2.0.1'] }),
      'active-standby',
      backend,
    );
    const statics = result.clusters.flatMap((c) => c.members).filter((m) => m.address === '192.0.2.10');
    assert.deepEqual(statics, [{ address: '192.0.2.10', port: 80, priorityGroup: 2 }]);
  });
});
