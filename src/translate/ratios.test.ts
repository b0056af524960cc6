import assert from 'node:assert/strict';
import { translateMembers } from './pool.js';
import { MAX_MEMBER_RATIO, memberRatios, SHARE_TOLERANCE } from './ratios.js';
import type { RatioPlan, WeightedMembers } from './ratios.js';
import { sortMembers } from '../resolve/member.js';
import type { Member } from '../resolve/member.js';
import { assertOfficialApplicationValid } from '../../test/support/as3-validation.js';

/** `count` members `prefix.1` … on `port`. */
function members(count: number, prefix: string, port = 8080): Member[] {
  return Array.from({ length: count }, (_, i) => ({ address: `${prefix}.${Math.floor(i / 250)}.${(i % 250) + 1}`, port }));
}

function backend(key: string, weight: number, memberList: Member[]): WeightedMembers {
  return { key, weight, members: memberList };
}

/** Which backend of `input` each member (`address:port`) belongs to: one pool never lists a member twice. */
function owners(input: WeightedMembers[]): Map<string, string> {
  return new Map(input.flatMap((b) => b.members.map((m): [string, string] => [`${m.address}:${m.port}`, b.key])));
}

function ratiosOf(input: WeightedMembers[], plan: RatioPlan, key: string): number[] {
  assert.equal(plan.kind, 'ratio');
  if (plan.kind !== 'ratio') return [];
  const owner = owners(input);
  return plan.members.filter((m) => owner.get(`${m.address}:${m.port}`) === key).map((m) => m.ratio);
}

/** Each backend's share of new connections under the plan: the sum of its members' ratios over the pool's sum. */
function sharesOf(input: WeightedMembers[], plan: RatioPlan): Record<string, number> {
  assert.equal(plan.kind, 'ratio');
  if (plan.kind !== 'ratio') return {};
  const total = plan.members.reduce((a, m) => a + m.ratio, 0);
  return Object.fromEntries(input.map((b) => [b.key, total === 0 ? 0 : ratiosOf(input, plan, b.key).reduce((a, r) => a + r, 0) / total]));
}

/**
 * What the BIG-IP does with the plan: each backend's share of new connections is the sum of
 * its members' ratios over the pool's sum. Checks that share against weight / sum of weights of
 * the backends that have members, and that every ratio is a whole number the schema accepts.
 */
function assertSharesWithinTolerance(input: WeightedMembers[], plan: RatioPlan): void {
  assert.equal(plan.kind, 'ratio', plan.kind === 'ratio' ? '' : plan.reason);
  if (plan.kind !== 'ratio') return;
  const serving = input.filter((b) => b.weight > 0 && b.members.length > 0);
  const weightSum = serving.reduce((a, b) => a + b.weight, 0);
  for (const m of plan.members) {
    assert.ok(Number.isInteger(m.ratio) && m.ratio >= 1 && m.ratio <= MAX_MEMBER_RATIO, `ratio ${m.ratio} out of 1..100`);
  }
  const shares = sharesOf(input, plan);
  for (const b of serving) {
    const share = shares[b.key] ?? -1;
    const target = b.weight / weightSum;
    assert.ok(Math.abs(share - target) <= SHARE_TOLERANCE + 1e-9, `${b.key}: share ${share} vs target ${target}`);
  }
  const expected = serving.reduce((a, b) => a + new Set(b.members.map((m) => `${m.address}:${m.port}`)).size, 0);
  assert.equal(plan.members.length, expected, 'every member of every weighted backend is in the pool once');
}

/**
 * Smallest pool total (sum of ratios) that meets the tolerance, by exhaustive search with exact
 * integer arithmetic (independent of the implementation's search); undefined when none exists.
 */
function smallestTotalByBruteForce(weights: number[], counts: number[]): number | undefined {
  const live = weights.map((_, i) => i).filter((i) => (weights[i] ?? 0) > 0 && (counts[i] ?? 0) > 0);
  const w = (i: number): number => weights[i] ?? 0;
  const n = (i: number): number => counts[i] ?? 0;
  const weightSum = live.reduce((a, i) => a + w(i), 0);
  const memberCount = live.reduce((a, i) => a + n(i), 0);
  for (let total = memberCount; total <= MAX_MEMBER_RATIO * memberCount; total++) {
    let lo = 0;
    let hi = 0;
    let ok = true;
    for (const i of live) {
      const l = Math.max(n(i), Math.ceil(((100 * w(i) - weightSum) * total) / (100 * weightSum)));
      const h = Math.min(MAX_MEMBER_RATIO * n(i), Math.floor(((100 * w(i) + weightSum) * total) / (100 * weightSum)));
      ok &&= l <= h;
      lo += l;
      hi += h;
    }
    if (ok && lo <= total && total <= hi) return total;
  }
  return undefined;
}

/** Deterministic pseudo-random numbers for generated cases. */
function lcg(seed: number): (bound: number) => number {
  let state = seed;
  return (bound) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state % bound;
  };
}

describe('memberRatios: weights as pool-member ratios', () => {
  const cases: Array<{ name: string; input: WeightedMembers[]; ratios: Record<string, number[]>; shares: Record<string, number> }> = [
    {
      name: '70/30 over 3 + 2 members: one ratio per Service (pods load evenly) giving exactly 70 % / 30 %',
      input: [backend('main', 70, members(3, '10.1')), backend('canary', 30, members(2, '10.2'))],
      ratios: { main: [14, 14, 14], canary: [9, 9] },
      shares: { main: 0.7, canary: 0.3 },
    },
    {
      name: '50/50 over 1 + 4 members: the single member carries as much as the four together',
      input: [backend('a', 50, members(1, '10.1')), backend('b', 50, members(4, '10.2'))],
      ratios: { a: [4], b: [1, 1, 1, 1] },
      shares: { a: 0.5, b: 0.5 },
    },
    {
      name: '1/99 over 1 + 1 member: exactly 1 % / 99 %',
      input: [backend('a', 1, members(1, '10.1')), backend('b', 99, members(1, '10.2'))],
      ratios: { a: [1], b: [99] },
      shares: { a: 0.01, b: 0.99 },
    },
    {
      name: 'a weight-0 backend contributes no members and gets no traffic',
      input: [backend('a', 100, members(2, '10.1')), backend('off', 0, members(3, '10.2'))],
      ratios: { a: [1, 1], off: [] },
      shares: { a: 1, off: 0 },
    },
    {
      name: 'a backend without members: its share goes to the others in proportion to their weights',
      input: [backend('a', 50, members(2, '10.1')), backend('gone', 25, []), backend('c', 25, members(1, '10.3'))],
      ratios: { a: [1, 1], gone: [], c: [1] },
      shares: { a: 2 / 3, gone: 0, c: 1 / 3 },
    },
    {
      name: 'a single backend: every member ratio 1',
      input: [backend('only', 100, members(3, '10.1'))],
      ratios: { only: [1, 1, 1] },
      shares: { only: 1 },
    },
    {
      name: 'three clusters 1:2:3 over 3 members each',
      input: [backend('c1', 1, members(3, '10.1')), backend('c2', 2, members(3, '10.2')), backend('c3', 3, members(3, '10.3'))],
      ratios: { c1: [1, 1, 1], c2: [2, 2, 2], c3: [3, 3, 3] },
      shares: { c1: 1 / 6, c2: 2 / 6, c3: 3 / 6 },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const plan = memberRatios(c.input);
      assertSharesWithinTolerance(c.input, plan);
      for (const [key, expected] of Object.entries(c.ratios)) assert.deepEqual(ratiosOf(c.input, plan, key), expected, key);
      const shares = sharesOf(c.input, plan);
      assert.deepEqual(Object.keys(shares).sort(), Object.keys(c.shares).sort());
      for (const [key, share] of Object.entries(c.shares)) assert.ok(Math.abs((shares[key] ?? -1) - share) < 1e-12, key);
    });
  }

  it('when equal ratios per Service cannot fit, spreads each total unevenly by at most 1, lowest addresses first', () => {
    const input = [backend('b0', 2, members(20, '10.0')), backend('b1', 87, members(52, '10.1')), backend('b2', 245, members(20, '10.2'))];
    const plan = memberRatios(input);
    assertSharesWithinTolerance(input, plan);
    assert.equal(plan.kind, 'ratio');
    if (plan.kind !== 'ratio') return;
    const uneven = ['b1', 'b2'].filter((key) => new Set(ratiosOf(input, plan, key)).size > 1);
    assert.ok(uneven.length > 0, 'this input has no equal-ratio solution, so some backend is uneven');
    for (const key of ['b0', 'b1', 'b2']) {
      const ratios = ratiosOf(input, plan, key);
      assert.ok(Math.max(...ratios) - Math.min(...ratios) <= 1, `${key}: ${ratios.join(',')}`);
      assert.deepEqual(
        ratios,
        [...ratios].sort((a, b) => b - a),
        `${key}: larger ratios on the lowest addresses`,
      );
    }
  });

  const splits: Array<{ name: string; input: WeightedMembers[]; reason: RegExp }> = [
    {
      name: 'weight 1 over 200 members vs 99 over 3: the small backend alone would take 40 %',
      input: [backend('canary', 1, members(200, '10.1')), backend('main', 99, members(3, '10.2'))],
      reason: /canary \(weight 1 = 1%, 200 members\).*ratio 1 on each of its members and 100 on every other member it would get 40%$/,
    },
    {
      name: 'a heavy backend with one member against many light members cannot reach its share',
      input: [backend('big', 90, members(1, '10.1')), backend('wide', 10, members(500, '10.2'))],
      reason: /big \(weight 90 = 90%, 1 member\).*ratio 100 on each of its members and 1 on every other member it would get only 16\.67%/,
    },
    {
      name: 'two backends with the same member cannot share one pool',
      input: [backend('a', 50, members(2, '10.1')), backend('b', 50, members(1, '10.1'))],
      reason: /backends a and b both have member 10\.1\.0\.1:8080.*cannot list a member twice/,
    },
  ];
  for (const c of splits) {
    it(`split: ${c.name}`, () => {
      const plan = memberRatios(c.input);
      assert.equal(plan.kind, 'split');
      if (plan.kind === 'split') assert.match(plan.reason, c.reason);
    });
  }

  it('no backend takes traffic (weights all 0, which normalization rejects, or no members): an empty pool', () => {
    for (const input of [
      [backend('a', 0, members(2, '10.1')), backend('b', 0, members(1, '10.2'))],
      [],
      [backend('a', 10, []), backend('b', 0, members(1, '10.2'))],
    ]) {
      assert.deepEqual(memberRatios(input), { kind: 'ratio', members: [] });
    }
  });

  it('the same backends in any order give the same plan, members in the order resolveBackend gives them', () => {
    const a = members(5, '10.1');
    const b = sortMembers([
      { address: '10.2.0.10', port: 80 },
      { address: '2001:db8::1', port: 80 },
      { address: '10.2.0.9', port: 80 },
    ]);
    const input = [backend('a', 37, a), backend('b', 63, b)];
    const plan = memberRatios(input);
    assert.deepEqual(memberRatios([...input].reverse()), plan);
    assertSharesWithinTolerance(input, plan);
    if (plan.kind === 'ratio')
      assert.deepEqual(
        plan.members.map((m) => m.address),
        [...a.map((m) => m.address), '10.2.0.9', '10.2.0.10', '2001:db8::1'],
      );
  });

  it('every plan meets the one-point tolerance, and splits only when no ratios can', () => {
    const random = lcg(20240611);
    let ratioPlans = 0;
    let splitPlans = 0;
    for (let c = 0; c < 1000; c++) {
      const k = 2 + random(3);
      const weights = Array.from({ length: k }, () => (random(6) === 0 ? random(3) : random(257)));
      const counts = Array.from({ length: k }, () => (random(4) === 0 ? random(60) : 1 + random(5)));
      if (!weights.some((w) => w > 0)) continue;
      const input = weights.map((w, i) => backend(`b${i}`, w, members(counts[i] ?? 0, `10.${i}`)));
      const plan = memberRatios(input);
      const smallest = smallestTotalByBruteForce(weights, counts);
      const context = `weights ${weights.join('/')} members ${counts.join('/')}`;
      if (plan.kind === 'split') {
        splitPlans++;
        assert.equal(smallest, undefined, `${context}: split although total ${smallest} works`);
        continue;
      }
      assert.equal(plan.kind, 'ratio', context);
      ratioPlans++;
      assertSharesWithinTolerance(input, plan);
      if (plan.kind === 'ratio' && plan.members.length > 0) assert.notEqual(smallest, undefined, context);
    }
    assert.ok(ratioPlans > 600 && splitPlans > 5, `both outcomes exercised (${ratioPlans} ratio, ${splitPlans} split)`);
  });

  /** Pool members for AS3 from a 70/30 split whose canary backend has a member on another port. */
  function ratioPoolMembers(): ReturnType<typeof translateMembers> {
    const plan = memberRatios([
      backend('main', 70, members(3, '10.1')),
      backend('canary', 30, [...members(1, '10.2'), { address: '10.2.0.2', port: 9090 }]),
    ]);
    assert.equal(plan.kind, 'ratio');
    return plan.kind === 'ratio' ? translateMembers(plan.members) : [];
  }

  it('pool members for AS3: one entry per (backend, port) with its ratio', () => {
    assert.deepEqual(ratioPoolMembers(), [
      { servicePort: 8080, serverAddresses: ['10.1.0.1', '10.1.0.2', '10.1.0.3'], ratio: 14, shareNodes: true },
      { servicePort: 8080, serverAddresses: ['10.2.0.1'], ratio: 9, shareNodes: true },
      { servicePort: 9090, serverAddresses: ['10.2.0.2'], ratio: 9, shareNodes: true },
    ]);
  });

  it('pool members for AS3: a ratio-member pool validates against the official schema', function () {
    assertOfficialApplicationValid(this, {
      vs: { class: 'Service_HTTP', virtualAddresses: ['10.0.0.10'], virtualPort: 80, pool: 'weighted_pool' },
      weighted_pool: { class: 'Pool', loadBalancingMode: 'ratio-member', members: ratioPoolMembers() },
    });
  });
});
