import assert from 'node:assert/strict';
import type { BackendRef, Route } from '../model/virtual.js';
import type { PoolMember } from '../resolve/member.js';
import type { ClusterMembers } from '../resolve/resolve-clusters.js';
import { backendShares, clusterShares, iruleWeights, isWeighted, ratioRows, splitRows, unionMembers, unionRows } from './pool-shares.js';
import type { Share, WeightedRef } from './pool-shares.js';

const backend = (service: string): BackendRef => ({ namespace: 'shop', service, servicePort: 80 });

/** Members `10.0.0.<last>` on port 80 of one cluster, with whatever tags the test needs. */
function members(lasts: number[], tags: Partial<PoolMember> = {}): PoolMember[] {
  return lasts.map((last) => ({ address: `10.0.0.${last}`, port: 80, ...tags }));
}

function cluster(name: string, ratio: number, list: PoolMember[], change: Partial<ClusterMembers> = {}): ClusterMembers {
  return { cluster: name, members: list, found: true, ratio, rank: 0, ...change };
}

function ref(service: string, weight: number, clusters: ClusterMembers[]): WeightedRef {
  return { backend: backend(service), weight, field: `spec.pools[0].${service}`, resolved: { clusters, problems: [] } };
}

function share(key: string, weight: number, list: PoolMember[], clusterName?: string): Share {
  return { key, backend: backend(key), weight, rank: 0, members: list, ...(clusterName ? { cluster: clusterName } : {}) };
}

describe('iruleWeights: weights the weighted iRule adds up', () => {
  const cases: Array<[string, number[], number[]]> = [
    ['whole numbers stay as the user wrote them', [70, 30], [70, 30]],
    ['whole numbers with a 0 stay too (0 is never picked)', [5, 0, 20], [5, 0, 20]],
    ['fractions from cluster ratios become basis points of the total', [1 / 3, 2 / 3], [3333, 6667]],
    ['equal fractions get equal basis points', [2.5, 2.5], [5000, 5000]],
    ['a tiny positive share keeps at least 1 basis point, so it still gets traffic', [0.00001, 99.99999, 0], [1, 10000, 0]],
    ['a negative share is 0 and does not count in the total', [-0.5, 1.5], [0, 10000]],
  ];
  for (const [what, input, expected] of cases) it(what, () => assert.deepEqual(iruleWeights(input), expected));
});

describe('unionMembers: every cluster of one backend in one pool', () => {
  it('one cluster: its members as they are, no copy', () => {
    const list = members([1, 2]);
    const out = unionMembers([{ members: list }]);
    assert.equal(out.members, list);
    assert.deepEqual(out.duplicates, []);
  });

  // The order of the union is not asserted: the AS3 pool groups members per cluster either way.
  it('several clusters: a member two clusters give kept once, from the earlier cluster, with its state', () => {
    const east = members([2, 10], { cluster: 'east' });
    const west = members([1, 2, 3], { cluster: 'west', adminState: 'disable' });
    const out = unionMembers([{ members: east }, { members: west }]);
    const byAddress = new Map(out.members.map((m) => [m.address, [m.cluster, m.adminState]]));
    assert.equal(out.members.length, byAddress.size, 'each address once');
    assert.deepEqual([...byAddress].sort(), [
      ['10.0.0.1', ['west', 'disable']],
      ['10.0.0.10', ['east', undefined]],
      ['10.0.0.2', ['east', undefined]],
      ['10.0.0.3', ['west', 'disable']],
    ]);
  });

  it('several clusters: reports the members listed by more than one cluster, for the warning', () => {
    const out = unionMembers([
      { members: members([2, 10], { cluster: 'east' }) },
      { members: members([1, 2, 3, 10], { cluster: 'west' }) },
      { members: members([2], { cluster: 'north' }) },
    ]);
    assert.deepEqual([...new Set(out.duplicates)].sort(), ['10.0.0.10:80', '10.0.0.2:80']);
    assert.equal(out.members.length, 4);
  });

  it('the same address on another port is another member', () => {
    const out = unionMembers([{ members: members([1]) }, { members: [{ address: '10.0.0.1', port: 81 }] }]);
    assert.deepEqual([out.members.length, out.duplicates], [2, []]);
  });
});

describe('clusterShares and backendShares: the slices of a weighted route', () => {
  const refs = [
    ref('a', 60, [
      cluster('east', 1, members([1, 2])),
      cluster('west', 3, members([3]), { rank: 1 }),
      cluster('north', 5, [], { found: false, rank: 2 }),
    ]),
    // b: the Service exists in north without endpoints (still a share), and south only has static members.
    ref('b', 40, [
      cluster('east', 1, [], { found: false }),
      cluster('north', 5, [], { rank: 2 }),
      cluster('south', 2, members([9]), { found: false, rank: 3 }),
    ]),
  ];

  it("byClusterRatio: a backend's weight divided by cluster ratio among the clusters that have its Service", () => {
    const shares = clusterShares(refs, true);
    assert.deepEqual(
      shares.map((s) => [s.key, s.cluster, s.rank, s.members.length]),
      [
        ['shop/a:80 @east', 'east', 0, 2],
        ['shop/a:80 @west', 'west', 1, 1],
        ['shop/b:80 @north', 'north', 2, 0],
        ['shop/b:80 @south', 'south', 3, 1],
      ],
    );
    const weights = shares.map((s) => s.weight);
    [15, 45, (40 * 5) / 7, (40 * 2) / 7].forEach((w, i) =>
      assert.ok(Math.abs((weights[i] ?? 0) - w) < 1e-9, `share ${i}: ${weights[i]} vs ${w}`),
    );
  });

  it("without cluster ratios (active-standby): each cluster's share carries the backend's whole weight", () => {
    assert.deepEqual(
      clusterShares(refs, false).map((s) => [s.key, s.weight]),
      [
        ['shop/a:80 @east', 60],
        ['shop/a:80 @west', 60],
        ['shop/b:80 @north', 40],
        ['shop/b:80 @south', 40],
      ],
    );
  });

  it('a backend listed twice gets numbered keys', () => {
    const twice = [ref('a', 1, [cluster('east', 1, members([1]))]), ref('a', 2, [cluster('east', 1, members([2]))])];
    assert.deepEqual(
      clusterShares(twice, true).map((s) => s.key),
      ['shop/a:80 #1 @east', 'shop/a:80 #2 @east'],
    );
  });

  it("backendShares: one share per backend with every cluster's members together", () => {
    assert.deepEqual(
      backendShares(refs).map((s) => [s.key, s.cluster, s.weight, s.rank, s.members.map((m) => m.address)]),
      [
        ['shop/a:80', undefined, 60, 0, ['10.0.0.1', '10.0.0.2', '10.0.0.3']],
        ['shop/b:80', undefined, 40, 0, ['10.0.0.9']],
      ],
    );
  });
});

describe('isWeighted: which routes need weights', () => {
  const r = (change: Partial<Route>): Route => ({
    path: '/',
    backend: backend('a'),
    monitors: [],
    field: 'spec',
    source: { kind: 'VirtualServer', namespace: 'shop', name: 'x' },
    ...change,
  });
  const cases: Array<[string, Route, boolean, boolean]> = [
    ['a plain route', r({}), false, false],
    ['an empty alternateBackends list', r({ alternates: [] }), false, false],
    ['alternateBackends', r({ alternates: [{ backend: backend('b'), weight: 1, field: 'x' }] }), false, true],
    ['multiClusterServices', r({ clusterServices: [] }), false, true],
    ['any route in ratio mode', r({}), true, true],
  ];
  for (const [what, route, ratioMode, expected] of cases)
    it(`${what}: ${expected}`, () => assert.equal(isWeighted(route, ratioMode), expected));
});

describe('share rows for plan -o summary', () => {
  it('unionRows (members): each cluster its part of round robin; disabled and offline members get none', () => {
    const list = [
      ...members([1, 2], { cluster: 'east' }),
      ...members([3], { cluster: 'west', adminState: 'disable' }),
      ...members([4], { cluster: 'north', adminState: 'offline' }),
      ...members([5], { cluster: 'south' }),
    ];
    assert.deepEqual(unionRows('p', backend('a'), list, 'members'), [
      { pool: 'p', cluster: 'east', backend: 'shop/a:80', members: 2, effective: 2 / 3 },
      { pool: 'p', cluster: 'west', backend: 'shop/a:80', members: 1, effective: 0, adminState: 'disable' },
      { pool: 'p', cluster: 'north', backend: 'shop/a:80', members: 1, effective: 0, adminState: 'offline' },
      { pool: 'p', cluster: 'south', backend: 'shop/a:80', members: 1, effective: 1 / 3 },
    ]);
  });

  it('unionRows (priority groups): everything to the highest group that serves; a disabled primary passes it on', () => {
    const rows = (primary: Partial<PoolMember>): Array<[string, number]> =>
      unionRows(
        'p',
        backend('a'),
        [...members([1, 2], { cluster: 'east', priorityGroup: 2, ...primary }), ...members([3], { cluster: 'west', priorityGroup: 1 })],
        'priority-groups',
      ).map((row) => [row.cluster, row.effective]);
    assert.deepEqual(rows({}), [
      ['east', 1],
      ['west', 0],
    ]);
    assert.deepEqual(rows({ adminState: 'disable' }), [
      ['east', 0],
      ['west', 1],
    ]);
  });

  it('ratioRows: configured from weights, effective from the ratios of members that serve', () => {
    const east = members([1, 2], { cluster: 'east', ratio: 30 });
    const west = members([3], { cluster: 'west', ratio: 40 });
    const canary = share('c', 0, [], 'west');
    const table = (list: PoolMember[]): Array<[string, number | undefined, number]> =>
      ratioRows('p', [share('a', 60, list.slice(0, 2), 'east'), share('a', 40, list.slice(2), 'west'), canary], list).map((row) => [
        row.cluster,
        row.configured,
        row.effective,
      ]);
    assert.deepEqual(table([...east, ...west]), [
      ['east', 0.6, 0.6],
      ['west', 0.4, 0.4],
      ['west', 0, 0],
    ]);
    const drained = west.map((m) => ({ ...m, adminState: 'disable' as const }));
    assert.deepEqual(
      table([...east, ...drained]),
      [
        ['east', 0.6, 1],
        ['west', 0.4, 0],
        ['west', 0, 0],
      ],
      'a disabled cluster keeps its configured share but gets no traffic',
    );
  });

  it('ratioRows: in active-standby each priority group is its own competition', () => {
    const a1 = members([1], { cluster: 'east', priorityGroup: 2, ratio: 3 });
    const b1 = members([2], { cluster: 'east', priorityGroup: 2, ratio: 1 });
    const a2 = members([3], { cluster: 'west', priorityGroup: 1, ratio: 1 });
    const rows = ratioRows(
      'p',
      [share('a', 75, a1, 'east'), share('b', 25, b1, 'east'), share('a', 75, a2, 'west')],
      [...a1, ...b1, ...a2],
    );
    assert.deepEqual(
      rows.map((row) => [row.backend, row.cluster, row.priorityGroup, row.configured, row.effective]),
      [
        ['shop/a:80', 'east', 2, 0.75, 0.75],
        ['shop/b:80', 'east', 2, 0.25, 0.25],
        ['shop/a:80', 'west', 1, 1, 1],
      ],
    );
  });

  it('splitRows: the iRule spreads a pool without serving members over the others; configured stays', () => {
    const rows = splitRows([
      { name: 'p', share: share('a', 70, members([1], { cluster: 'east' }), 'east'), weight: 70 },
      { name: 'p_west', share: share('a', 20, members([2], { cluster: 'west', adminState: 'offline' }), 'west'), weight: 20 },
      { name: 'p_north', share: share('a', 10, members([3], { cluster: 'north' }), 'north'), weight: 10 },
    ]);
    assert.deepEqual(
      rows.map((row) => [row.pool, row.configured, row.effective, row.adminState]),
      [
        ['p', 0.7, 70 / 80, undefined],
        ['p_west', 0.2, 0, 'offline'],
        ['p_north', 0.1, 10 / 80, undefined],
      ],
    );
  });
});
