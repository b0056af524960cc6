import assert from 'node:assert/strict';
import type { ClusterSetMode } from '../inventory/cluster-set.js';
import type { BackendRef, Route, VirtualGroup, VirtualType } from '../model/virtual.js';
import type { Member, PoolMember } from '../resolve/member.js';
import type { ResolvedClusters } from '../resolve/resolve-clusters.js';
import { translateApplication } from './application.js';
import type { ApplicationResult, Membership } from './application.js';
import type { As3Object } from '../model/as3-types.js';
import { buildDeclaration, buildTenant } from './declaration.js';
import { MAX_MEMBER_RATIO, SHARE_TOLERANCE } from './ratios.js';
import { seededRandom } from '../../test/support/seeded-random.js';
import { assertOfficialSchemaValid, compileOfficialSchema, projectSchemaErrors } from '../../test/support/as3-validation.js';

/** A cluster of the set, in list order (the first is the primary in active-standby). */
interface FakeCluster {
  name: string;
  ratio: number;
  adminState?: 'disable' | 'offline';
}
/** Members per Service per cluster; a cluster without an entry lacks the Service. */
type World = Record<string, Record<string, Member[]>>;

const SOURCE = { kind: 'VirtualServer', namespace: 'shop', name: 'web' };
const EPS = 1e-9;

/** `count` pods of Service number `s` in cluster number `c`: 10.s.c.1 … (so an address names its share). */
const pods = (s: number, c: number, count: number): Member[] =>
  Array.from({ length: count }, (_, i) => ({ address: `10.${s}.${c}.${i + 1}`, port: 8080 }));
/** `s/c` of a member made by `pods`. */
const shareOf = (address: string): string => address.split('.').slice(1, 3).join('/');
const backend = (service: string): BackendRef => ({ namespace: 'shop', service, servicePort: 8080 });

function route(primary: string, change: Partial<Route> = {}): Route {
  return {
    host: 'shop.example.com',
    path: '/',
    backend: backend(primary),
    monitors: [],
    field: 'spec.pools[0]',
    source: SOURCE,
    ...change,
  };
}

function group(r: Route, type: VirtualType = 'http'): VirtualGroup {
  const common = { partition: 'shop', address: '10.0.0.10', port: 80, snat: 'auto' as const, settings: {}, type };
  return {
    ...common,
    id: 'shop/web',
    application: 'web',
    virtualName: 'web_80',
    claims: [{ ...common, source: SOURCE, object: { kind: 'VirtualServer' }, routes: [r] }],
  };
}

/**
 * Resolves like resolveAcrossClusters: members (sorted, as `pods` makes them) tagged with their
 * cluster, its admin state and, in active-standby, its priority group (cluster count − rank).
 */
function membership(mode: ClusterSetMode, clusters: FakeCluster[], world: World): Membership {
  const resolve = (b: BackendRef, only?: string): ResolvedClusters => ({
    problems: [],
    clusters: (only !== undefined ? clusters.filter((c) => c.name === only) : mode === 'default' ? clusters.slice(0, 1) : clusters).map(
      (c) => {
        const rank = clusters.indexOf(c);
        const found = world[b.service]?.[c.name];
        const members = (found ?? []).map((m): PoolMember => ({
          ...m,
          cluster: c.name,
          ...(c.adminState ? { adminState: c.adminState } : {}),
          ...(mode === 'active-standby' ? { priorityGroup: clusters.length - rank } : {}),
        }));
        return { cluster: c.name, members, found: found !== undefined, ratio: c.ratio, rank };
      },
    ),
  });
  return { mode, resolve };
}

/** The declarations translate() made, for the official-schema test at the end of the block. */
const forOfficialSchema: unknown[] = [];

/**
 * Translates and checks the application against the project's schema, keeping the declaration
 * for the official AS3 schema's test (skipped, visibly, when that schema is absent).
 */
function translate(g: VirtualGroup, m: Membership): ApplicationResult {
  const result = translateApplication(g, m);
  const tenant = buildTenant(new Map([[g.application, result.application]]), 'test', result.shared);
  const declaration = buildDeclaration(new Map([[g.partition, tenant]]), { schemaVersion: '3.56.0', instance: 'test' });
  assert.equal(projectSchemaErrors(declaration), '');
  forOfficialSchema.push(declaration);
  return result;
}

/** A pool member as the BIG-IP sees it, one per address. */
interface Emitted {
  address: string;
  ratio: number;
  priorityGroup?: number;
  adminState?: string;
  remark?: string;
}
function poolsOf(app: As3Object): Map<string, Emitted[]> {
  const out = new Map<string, Emitted[]>();
  for (const [name, obj] of Object.entries(app)) {
    if ((obj as As3Object | undefined)?.class !== 'Pool') continue;
    out.set(
      name,
      ((obj as As3Object)['members'] as Array<Record<string, unknown>>).flatMap((e) =>
        (e['serverAddresses'] as string[]).map((address) => ({
          address,
          ratio: (e['ratio'] as number | undefined) ?? 1,
          priorityGroup: e['priorityGroup'] as number | undefined,
          adminState: e['adminState'] as string | undefined,
          remark: e['remark'] as string | undefined,
        })),
      ),
    );
  }
  return out;
}

/** The weighted iRule's weight per pool path, as the Tcl adds them to its running total. */
function iruleWeightsOf(app: As3Object): Map<string, number> {
  const lines = String(
    (Object.values(app).find((o) => (o as As3Object | undefined)?.class === 'iRule') as As3Object | undefined)?.['iRule'] ?? '',
  )
    .split('\n')
    .map((l) => l.trim());
  const out = new Map<string, number>();
  lines.forEach((line, i) => {
    const pool = /^if \{ \[active_members (\S+)\] > 0 \} \{$/.exec(line)?.[1];
    const weight = /^set kube_as3_total \[expr \{ \$kube_as3_total \+ (\S+) \}\]$/.exec(lines[i + 1] ?? '')?.[1];
    if (pool && weight) out.set(pool, Number(weight));
  });
  return out;
}

/** Whether any ratios 1–100 per member give every share its target within the tolerance (exhaustive over pool totals). */
function ratiosExist(shares: Array<{ target: number; n: number }>): boolean {
  const [max, tolerance] = [MAX_MEMBER_RATIO, SHARE_TOLERANCE]; // module bindings are getters under tsx: slow in this loop
  const count = shares.reduce((a, s) => a + s.n, 0);
  // Only totals where each share's pods fit below its upper share and its ratio sum reaches its lower one.
  const from = Math.max(count, ...shares.map((s) => Math.ceil(s.n / (s.target + tolerance) - EPS)));
  const to = Math.min(
    max * count,
    ...shares.filter((s) => s.target > tolerance).map((s) => Math.floor((max * s.n) / (s.target - tolerance) + EPS)),
  );
  for (let total = from; total <= to; total++) {
    let [lo, hi, ok] = [0, 0, true];
    for (const s of shares) {
      const l = Math.max(s.n, Math.ceil((s.target - tolerance) * total - EPS));
      const h = Math.min(max * s.n, Math.floor((s.target + tolerance) * total + EPS));
      ok &&= l <= h;
      lo += l;
      hi += h;
    }
    if (ok && lo <= total && total <= hi) return true;
  }
  return false;
}

/** One configured (backend, cluster) share: `s/c` key, fraction of its competition (the pool, or its priority group), pods. */
interface Expected {
  key: string;
  service: string;
  cluster: string;
  target: number;
  n: number;
  group: number;
}
/** A random route: 1–3 backends (primary weight default 100), 2–3 clusters, 1–200 pods, some Services missing. */
function scenario(random: () => number): { clusters: FakeCluster[]; world: World; weights: number[] } {
  const int = (lo: number, hi: number): number => lo + Math.floor(random() * (hi - lo + 1));
  const skewed = random() < 0.1;
  const clusters = ['east', 'west', 'north']
    .slice(0, int(2, 3))
    .map((name, c) => ({ name, ratio: skewed ? (c === 0 ? 1 : 99) : int(1, 100) }));
  const weights = Array.from({ length: int(1, 3) }, (_, s) =>
    s === 0 ? (random() < 0.3 ? 100 : int(1, 100)) : random() < 0.15 ? 0 : int(1, 100),
  );
  const world: World = {};
  weights.forEach((_, s) => {
    world[`svc${s + 1}`] = {};
    clusters.forEach((c, ci) => {
      if (random() < 0.2 && !(s === 0 && ci === 0)) return;
      // Half the counts small: few pods make ratios coarse, many make them fine; both need checking.
      const count = skewed ? (ci === 0 ? int(120, 200) : int(1, 3)) : random() < 0.5 ? int(1, 8) : int(1, 200);
      (world[`svc${s + 1}`] as Record<string, Member[]>)[c.name] = pods(s + 1, ci + 1, count);
    });
  });
  return { clusters, world, weights };
}

/** A replayable description of a generated case for assertion messages. */
function caseText(i: number, clusters: FakeCluster[], world: World, weights: number[]): string {
  const counts = Object.values(world).map((w) => Object.fromEntries(Object.entries(w).map(([k, v]) => [k, v.length])));
  return `case ${i}: ${JSON.stringify({ clusters, weights, counts })}`;
}

function weightedRoute(weights: number[]): Route {
  const alternates = weights
    .slice(1)
    .map((weight, i) => ({ backend: backend(`svc${i + 2}`), weight, field: `spec.pools[0].alternateBackends[${i}]` }));
  return route('svc1', alternates.length > 0 ? { weight: weights[0] as number, alternates } : {});
}

/** Configured shares: `ratio` mode multiplies weight share by cluster ratio share; active-standby competes per cluster. */
function expectedShares(mode: 'ratio' | 'active-standby', clusters: FakeCluster[], world: World, weights: number[]): Expected[] {
  const raw: Array<Expected & { weight: number }> = [];
  weights.forEach((w, s) => {
    const present = clusters.filter((c) => world[`svc${s + 1}`]?.[c.name] !== undefined);
    const ratios = present.reduce((a, c) => a + c.ratio, 0);
    for (const c of present) {
      const ci = clusters.indexOf(c);
      raw.push({
        key: `${s + 1}/${ci + 1}`,
        service: `shop/svc${s + 1}:8080`,
        cluster: c.name,
        target: 0,
        n: world[`svc${s + 1}`]?.[c.name]?.length ?? 0,
        group: mode === 'ratio' ? 0 : clusters.length - ci,
        weight: mode === 'ratio' ? (w * c.ratio) / ratios : w,
      });
    }
  });
  const sum = (g: number): number => raw.filter((x) => x.group === g).reduce((a, x) => a + x.weight, 0);
  return raw.map(({ weight, ...e }) => ({ ...e, target: weight > 0 ? weight / sum(e.group) : 0 }));
}

/** One ratio-member pool: integer ratios 1–100 and each share within a point of its target (per priority group). */
function assertRatioPool(result: ApplicationResult, expected: Expected[], context: string): void {
  const pools = poolsOf(result.application);
  assert.equal(pools.size, 1, context);
  assert.deepEqual(result.diagnostics, [], context);
  const [name, members] = [...pools][0] as [string, Emitted[]];
  assert.equal((result.application[name] as As3Object)['loadBalancingMode'], 'ratio-member', context);
  assert.equal(
    members.length,
    expected.reduce((a, e) => a + (e.target > 0 ? e.n : 0), 0),
    `${context}: every pod of every weighted share, once`,
  );
  const rows = result.shares[0]?.rows ?? [];
  assert.deepEqual([result.shares[0]?.mechanism, rows.length], ['member-ratios', expected.length], context);
  const byShare = new Map<string, Emitted[]>();
  for (const m of members) byShare.set(shareOf(m.address), [...(byShare.get(shareOf(m.address)) ?? []), m]);
  for (const e of expected) {
    const mine = byShare.get(e.key) ?? [];
    const inGroup = members.filter((m) => (m.priorityGroup ?? 0) === e.group);
    for (const m of mine) {
      assert.ok(Number.isInteger(m.ratio) && m.ratio >= 1 && m.ratio <= MAX_MEMBER_RATIO, `${context}: ratio ${m.ratio}`);
      assert.equal(m.remark, `cluster ${e.cluster}`);
    }
    const share = e.target > 0 ? mine.reduce((a, m) => a + m.ratio, 0) / inGroup.reduce((a, m) => a + m.ratio, 0) : 0;
    assert.ok(Math.abs(share - e.target) <= SHARE_TOLERANCE + EPS, `${context}: ${e.key} gets ${share}, configured ${e.target}`);
    const row = rows.find((r) => r.cluster === e.cluster && r.backend === e.service);
    assert.deepEqual([row?.pool, row?.members], [name, e.n], `${context}: row for ${e.key}`);
    assert.ok(
      Math.abs((row?.configured ?? -1) - e.target) < EPS && Math.abs((row?.effective ?? -1) - share) < EPS,
      `${context}: ${JSON.stringify(row)}: ${e.target}, ${share}`,
    );
  }
}

/** Split pools: a weighted iRule, its reason as a warning, and no ratios could have worked. */
function assertSplit(result: ApplicationResult, competitions: Expected[][], context: string): Map<string, number> {
  const [warning, ...others] = result.diagnostics;
  assert.deepEqual([warning?.severity, others], ['warning', []], context);
  assert.match(
    warning?.message ?? '',
    /^the weights cannot be expressed as pool member ratios \(.*(even with ratio|within 1 percentage point).*\); each backend gets its own pool and a generated iRule picks one by weight$/,
  );
  assert.equal(result.shares[0]?.mechanism, 'weighted-irule', context);
  assert.ok(
    competitions.some((c) => !ratiosExist(c.filter((e) => e.target > 0))),
    `${context}: split although ratios exist`,
  );
  return iruleWeightsOf(result.application);
}

describe('multi-cluster pools: shares as member ratios, else split pools (docs/multi-cluster.md)', () => {
  before(() => [compileOfficialSchema(), projectSchemaErrors({})]); // the schemas compile once (about a second), not in a test's time

  it('ratio mode: every (backend, cluster) share within one point, or split only when no ratios exist', () => {
    const [random, outcomes] = [seededRandom(4242), { ratio: 0, split: 0 }];
    for (let i = 0; i < 200; i++) {
      const { clusters, world, weights } = scenario(random);
      const context = caseText(i, clusters, world, weights);
      const result = translate(group(weightedRoute(weights)), membership('ratio', clusters, world));
      const expected = expectedShares('ratio', clusters, world, weights);
      const [pools, rows] = [poolsOf(result.application), result.shares[0]?.rows ?? []];
      outcomes[pools.size === 1 ? 'ratio' : 'split']++;
      if (pools.size === 1) {
        assertRatioPool(result, expected, context);
        continue;
      }
      const weightsByPool = assertSplit(result, [expected], context);
      assert.equal(pools.size, expected.filter((x) => x.target > 0).length, `${context}: one pool per share that takes traffic`);
      const total = [...weightsByPool.values()].reduce((a, w) => a + w, 0);
      for (const e of expected.filter((x) => x.target > 0)) {
        const [name, members] = [...pools].find(([, ms]) => ms.some((m) => shareOf(m.address) === e.key)) ?? [];
        assert.ok(name && members, `${context}: a pool for ${e.key}`);
        assert.deepEqual(
          members.map((m) => [shareOf(m.address), m.remark, m.ratio]),
          Array.from({ length: e.n }, () => [e.key, `cluster ${e.cluster}`, 1]),
        );
        assert.ok(
          Math.abs((weightsByPool.get(`/shop/web/${name}`) ?? 0) / total - e.target) < 5e-4,
          `${context}: iRule weight of ${e.key}`,
        );
        const row = rows.find((r) => r.pool === name);
        assert.ok(
          row && Math.abs((row.configured ?? -1) - e.target) < 5e-4 && Math.abs(row.effective - (row.configured ?? -1)) < EPS,
          context,
        );
      }
    }
    assert.ok(outcomes.ratio > 100 && outcomes.split > 50, `both outcomes exercised: ${JSON.stringify(outcomes)}`);
  });

  it('active-standby with alternateBackends: the weights hold within each priority group', () => {
    const [random, outcomes] = [seededRandom(777), { ratio: 0, split: 0 }];
    for (let i = 0; i < 100; i++) {
      const { clusters, world, weights } = scenario(random);
      if (weights.length < 2) weights.push(1 + Math.floor(random() * 100));
      world[`svc${weights.length}`] ??= { [clusters[0]?.name ?? '']: pods(weights.length, 1, 2) };
      const context = caseText(i, clusters, world, weights);
      const result = translate(group(weightedRoute(weights)), membership('active-standby', clusters, world));
      const expected = expectedShares('active-standby', clusters, world, weights);
      const pools = poolsOf(result.application);
      for (const name of pools.keys()) assert.equal((result.application[name] as As3Object)['minimumMembersActive'], 1);
      for (const m of [...pools.values()].flat())
        assert.equal(m.priorityGroup, clusters.length - (Number(shareOf(m.address).split('/')[1]) - 1));
      outcomes[pools.size === 1 ? 'ratio' : 'split']++;
      if (pools.size === 1) {
        assertRatioPool(result, expected, context);
        continue;
      }
      const groups = [...new Set(expected.map((e) => e.group))].map((g) => expected.filter((e) => e.group === g));
      assertSplit(result, groups, context);
      for (const members of pools.values())
        assert.equal(
          new Set(members.map((m) => shareOf(m.address).split('/')[0])).size,
          1,
          `${context}: one backend per pool, every cluster`,
        );
    }
    assert.ok(outcomes.ratio > 60 && outcomes.split > 10, `both outcomes exercised: ${JSON.stringify(outcomes)}`);
  });

  for (const type of ['http', 'tcp'] as const) {
    it(`ratio mode, ${type}: 1 % over 150 pods vs 99 % over 1 pod cannot be ratios: a pool per cluster and the weighted iRule`, () => {
      const clusters = [
        { name: 'east', ratio: 1 },
        { name: 'west', ratio: 99 },
      ];
      const result = translate(
        group(route('web'), type),
        membership('ratio', clusters, { web: { east: pods(1, 1, 150), west: pods(1, 2, 1) } }),
      );
      const app = result.application;
      const pools = poolsOf(app);
      assert.deepEqual([...pools.keys()], ['web_8080_shop', 'web_8080_shop_west']);
      assert.deepEqual(
        pools.get('web_8080_shop')?.map((m) => m.remark),
        Array.from({ length: 150 }, () => 'cluster east'),
      );
      assert.deepEqual(pools.get('web_8080_shop_west'), [
        { address: '10.1.2.1', ratio: 1, priorityGroup: undefined, adminState: undefined, remark: 'cluster west' },
      ]);
      assert.deepEqual(
        [...iruleWeightsOf(app)],
        [
          ['/shop/web/web_8080_shop', 1],
          ['/shop/web/web_8080_shop_west', 99],
        ],
      );
      const service = app['web_80'] as As3Object;
      assert.deepEqual(service['iRules'], [{ use: 'web_80_weighted' }]);
      assert.match(String((app['web_80_weighted'] as As3Object)['iRule']), type === 'http' ? /when HTTP_REQUEST/ : /when CLIENT_ACCEPTED/);
      assert.equal(
        service['pool'],
        type === 'tcp' ? 'web_8080_shop' : undefined,
        'HTTP routes through the policy, which sets the route for the iRule',
      );
      assert.deepEqual(
        result.diagnostics.map((d) => [d.severity, d.field, d.message]),
        [
          [
            'warning',
            'spec.pools[0]',
            'the weights cannot be expressed as pool member ratios (member ratios (1 to 100 per member) cannot give shop/web:8080 @east (weight 1 = 1%, 150 members) ' +
              'its share in one pool: even with ratio 1 on each of its members and 100 on every other member it would get 60%); each backend gets its own pool and a generated iRule picks one by weight',
          ],
        ],
      );
      assert.deepEqual(
        result.shares.map((s) => [s.pool, s.mechanism]),
        [['web_8080_shop', 'weighted-irule']],
      );
      assert.deepEqual(result.shares[0]?.rows, [
        { pool: 'web_8080_shop', cluster: 'east', backend: 'shop/web:8080', members: 150, configured: 0.01, effective: 0.01 },
        { pool: 'web_8080_shop_west', cluster: 'west', backend: 'shop/web:8080', members: 1, configured: 0.99, effective: 0.99 },
      ]);
      assert.deepEqual(result.summary[0]?.pools, ['web_8080_shop', 'web_8080_shop_west']);
    });
  }

  it('active-active: one round-robin pool of every cluster that has the Service, members marked with cluster and admin state', () => {
    const clusters: FakeCluster[] = [
      { name: 'east', ratio: 1 },
      { name: 'west', ratio: 1, adminState: 'disable' },
      { name: 'north', ratio: 1, adminState: 'offline' },
      { name: 'south', ratio: 1 },
    ];
    const result = translate(
      group(route('web')),
      membership('active-active', clusters, { web: { east: pods(1, 1, 2), west: pods(1, 2, 1), north: pods(1, 3, 1) } }),
    );
    const pool = result.application['web_8080_shop'] as As3Object;
    assert.deepEqual(pool, {
      class: 'Pool',
      loadBalancingMode: 'round-robin',
      remark: 'shop/web:8080',
      members: [
        { servicePort: 8080, serverAddresses: ['10.1.1.1', '10.1.1.2'], remark: 'cluster east', shareNodes: true },
        { servicePort: 8080, serverAddresses: ['10.1.3.1'], adminState: 'offline', remark: 'cluster north', shareNodes: true },
        { servicePort: 8080, serverAddresses: ['10.1.2.1'], adminState: 'disable', remark: 'cluster west', shareNodes: true },
      ],
    });
    assert.deepEqual(result.diagnostics, []);
    assert.deepEqual(result.shares[0]?.mechanism, 'members');
    assert.deepEqual(
      result.shares[0]?.rows.map((r) => [r.cluster, r.members, r.effective, r.adminState]),
      [
        ['east', 2, 1, undefined],
        ['west', 1, 0, 'disable'],
        ['north', 1, 0, 'offline'],
      ],
    );
  });

  it('active-active: a member two clusters both give is listed once, from the earlier cluster, with a warning', () => {
    const [a, b, c] = pods(9, 9, 3) as [Member, Member, Member];
    const result = translate(
      group(route('web')),
      membership(
        'active-active',
        [
          { name: 'east', ratio: 1 },
          { name: 'west', ratio: 1 },
        ],
        { web: { east: [a, b], west: [b, c] } },
      ),
    );
    assert.deepEqual(
      poolsOf(result.application)
        .get('web_8080_shop')
        ?.map((m) => [m.address, m.remark]),
      [
        ['10.9.9.1', 'cluster east'],
        ['10.9.9.2', 'cluster east'],
        ['10.9.9.3', 'cluster west'],
      ],
    );
    assert.deepEqual(
      result.diagnostics.map((d) => [d.severity, d.field, d.message]),
      [
        [
          'warning',
          'spec.pools[0]',
          '10.9.9.2:8080 is a member in more than one cluster; the pool lists each once (from the earlier cluster)',
        ],
      ],
    );
  });

  it('active-standby: the primary cluster in the highest priority group, minimumMembersActive 1', () => {
    const result = translate(
      group(route('web')),
      membership(
        'active-standby',
        [
          { name: 'east', ratio: 1 },
          { name: 'west', ratio: 1 },
        ],
        { web: { east: pods(1, 1, 2), west: pods(1, 2, 1) } },
      ),
    );
    const pool = result.application['web_8080_shop'] as As3Object;
    assert.equal(pool['minimumMembersActive'], 1);
    assert.deepEqual(pool['members'], [
      { servicePort: 8080, serverAddresses: ['10.1.1.1', '10.1.1.2'], priorityGroup: 2, remark: 'cluster east', shareNodes: true },
      { servicePort: 8080, serverAddresses: ['10.1.2.1'], priorityGroup: 1, remark: 'cluster west', shareNodes: true },
    ]);
    assert.deepEqual(result.shares[0]?.mechanism, 'priority-groups');
    assert.deepEqual(
      result.shares[0]?.rows.map((r) => [r.cluster, r.priorityGroup, r.effective]),
      [
        ['east', 2, 1],
        ['west', 1, 0],
      ],
    );
  });

  it('active-standby with alternateBackends: 70/30 in the primary group, and again in the standby group', () => {
    const world = { main: { east: pods(1, 1, 3), west: pods(1, 2, 1) }, canary: { east: pods(2, 1, 2), west: pods(2, 2, 4) } };
    const r = route('main', {
      weight: 70,
      alternates: [{ backend: backend('canary'), weight: 30, field: 'spec.pools[0].alternateBackends[0]' }],
    });
    const result = translate(
      group(r),
      membership(
        'active-standby',
        [
          { name: 'east', ratio: 1 },
          { name: 'west', ratio: 1 },
        ],
        world,
      ),
    );
    const members = poolsOf(result.application).get('main_8080_shop') ?? [];
    for (const [cluster, priorityGroup] of [
      ['1', 2],
      ['2', 1],
    ] as const) {
      const sum = (s: string): number =>
        members
          .filter((m) => shareOf(m.address) === `${s}/${cluster}`)
          .reduce((a, m) => a + (m.priorityGroup === priorityGroup ? m.ratio : NaN), 0);
      assert.ok(Math.abs(sum('1') / (sum('1') + sum('2')) - 0.7) <= SHARE_TOLERANCE, `priority group ${priorityGroup}`);
    }
    assert.deepEqual(
      result.shares[0]?.rows.map((row) => [row.cluster, row.backend, row.priorityGroup, row.configured]),
      [
        ['east', 'shop/main:8080', 2, 0.7],
        ['west', 'shop/main:8080', 1, 0.7],
        ['east', 'shop/canary:8080', 2, 0.3],
        ['west', 'shop/canary:8080', 1, 0.3],
      ],
    );
  });

  it('multiClusterServices: a weight-0 entry contributes no members; the others share the traffic by weight', () => {
    const entry = (cluster: string, service: string, weight: number, i: number): NonNullable<Route['clusterServices']>[number] => ({
      cluster,
      backend: backend(service),
      weight,
      field: `spec.pools[0].multiClusterServices[${i}]`,
    });
    const r = route('main', {
      clusterServices: [entry('east', 'main', 50, 0), entry('west', 'canary', 0, 1), entry('west', 'main', 25, 2)],
    });
    const world = { main: { east: pods(1, 1, 2), west: pods(1, 2, 3) }, canary: { west: pods(2, 2, 2) } };
    const result = translate(
      group(r),
      membership(
        'default',
        [
          { name: 'east', ratio: 1 },
          { name: 'west', ratio: 1 },
        ],
        world,
      ),
    );
    const members = poolsOf(result.application).get('main_8080_shop') ?? [];
    assert.deepEqual([...new Set(members.map((m) => shareOf(m.address)))], ['1/1', '1/2'], 'no canary member');
    const total = members.reduce((a, m) => a + m.ratio, 0);
    const east = members.filter((m) => shareOf(m.address) === '1/1').reduce((a, m) => a + m.ratio, 0) / total;
    assert.ok(Math.abs(east - 2 / 3) <= SHARE_TOLERANCE, `east gets ${east}`);
    assert.deepEqual(result.diagnostics, []);
    assert.deepEqual(
      result.shares[0]?.rows.map((row) => [row.cluster, row.backend, row.members, row.configured, row.effective === 0]),
      [
        ['east', 'shop/main:8080', 2, 2 / 3, false],
        ['west', 'shop/canary:8080', 2, 0, true],
        ['west', 'shop/main:8080', 3, 1 / 3, false],
      ],
    );
  });

  it('multiClusterServices in active-standby: the entries share by weight, without priority groups or minimumMembersActive', () => {
    const entry = (cluster: string, weight: number, i: number): NonNullable<Route['clusterServices']>[number] => ({
      cluster,
      backend: backend('main'),
      weight,
      field: `spec.pools[0].multiClusterServices[${i}]`,
    });
    const r = route('main', { clusterServices: [entry('east', 30, 0), entry('west', 70, 1)] });
    const world = { main: { east: pods(1, 1, 1), west: pods(1, 2, 1) } };
    const result = translate(
      group(r),
      membership(
        'active-standby',
        [
          { name: 'east', ratio: 1 },
          { name: 'west', ratio: 1 },
        ],
        world,
      ),
    );
    const pool = (result.application as Record<string, Record<string, unknown>>)['main_8080_shop'] ?? {};
    assert.equal(pool['minimumMembersActive'], undefined);
    assert.deepEqual(
      (pool['members'] as Array<Record<string, unknown>>).map((m) => [m['remark'], m['ratio'], m['priorityGroup']]),
      [
        ['cluster west', 7, undefined],
        ['cluster east', 3, undefined],
      ],
    );
    assert.deepEqual(
      result.shares[0]?.rows.map((row) => [row.cluster, row.configured, row.effective]),
      [
        ['east', 0.3, 0.3],
        ['west', 0.7, 0.7],
      ],
    );
  });

  it('every declaration above is valid against the official AS3 schema', function () {
    assert.ok(forOfficialSchema.length > 300, `only ${forOfficialSchema.length} declarations were kept`);
    forOfficialSchema.forEach((declaration, i) => assertOfficialSchemaValid(this, declaration, `declaration ${i}`));
  });
});
