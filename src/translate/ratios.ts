/**
 * Traffic weights (`weight` / `alternateBackends`, multi-cluster ratios and service weights) as
 * AS3 pool-member ratios: one pool holds every backend's members and the BIG-IP's `ratio-member`
 * load balancing gives each backend its share. AS3 3.56 `Pool_Member.ratio` is an integer 0–100;
 * members that take traffic get 1–100 here. When no ratios give every backend its share within
 * one percentage point, the plan says `split` and why; the caller then falls back to one pool per
 * backend chosen by a weighted iRule (docs/multi-cluster.md, weighted-irule.ts).
 *
 * CIS always uses per-backend pools plus a data group and an iRule for weights, and never emits
 * member ratios (its ratio writer is dead code); docs/multi-cluster.md asks for ratios first.
 */
import type { PoolMember } from './pool.js';

/** One backend (a Service in one cluster, or an alternate backend) and its relative weight. */
export interface WeightedMembers {
  /** Stable identity of the backend: orders the backends and names them in a `split` reason. */
  key: string;
  /** Relative share of traffic; 0 (or a negative or non-finite value) takes no traffic. */
  weight: number;
  /** Sorted by address and port, without duplicates (as resolveBackend gives them); their other fields are kept. */
  members: PoolMember[];
}

/** A pool member with the ratio (AS3 `Pool_Member.ratio`, 1–100) that gives its backend its share. */
type WeightedMember = PoolMember & { ratio: number };

/**
 * - `ratio`: one pool with `loadBalancingMode: ratio-member` and these members (none when no
 *   backend with a weight above 0 has members).
 * - `split`: ratios cannot meet the weights; `reason` says why, in terms of the backends.
 */
export type RatioPlan = { kind: 'ratio'; members: WeightedMember[] } | { kind: 'split'; reason: string };

/** AS3 3.56 `Pool_Member.ratio` maximum. */
export const MAX_MEMBER_RATIO = 100;
/** How far a backend's share may be from its configured share: one percentage point. */
export const SHARE_TOLERANCE = 0.01;
/** Guard against pathological inputs; normal pools need a handful of candidate totals. */
const MAX_CANDIDATE_TOTALS = 20_000;
const EPSILON = 1e-9;

interface Serving {
  key: string;
  weight: number;
  members: PoolMember[];
  /** Configured share among the backends that have members. */
  target: number;
}

interface TotalBounds {
  lower: number[];
  upper: number[];
  sumLower: number;
  sumUpper: number;
}

function effectiveWeight(weight: number): number {
  return Number.isFinite(weight) && weight > 0 ? weight : 0;
}

function compareBackends(a: WeightedMembers, b: WeightedMembers): number {
  if (a.key !== b.key) return a.key < b.key ? -1 : 1;
  return effectiveWeight(a.weight) - effectiveWeight(b.weight);
}

/**
 * For one candidate pool total `total` (sum of all member ratios), the range of ratio sums each
 * backend may have: at least one per member, at most 100 per member, and within the tolerance
 * of its configured share.
 */
function boundsAt(serving: Serving[], total: number): TotalBounds {
  const lower: number[] = [];
  const upper: number[] = [];
  let sumLower = 0;
  let sumUpper = 0;
  for (const b of serving) {
    const n = b.members.length;
    const lo = Math.max(n, Math.ceil((b.target - SHARE_TOLERANCE) * total - EPSILON));
    const hi = Math.min(MAX_MEMBER_RATIO * n, Math.floor((b.target + SHARE_TOLERANCE) * total + EPSILON));
    lower.push(lo);
    upper.push(hi);
    sumLower += lo;
    sumUpper += hi;
  }
  return { lower, upper, sumLower, sumUpper };
}

function feasible(bounds: TotalBounds, total: number): boolean {
  if (bounds.sumLower > total || bounds.sumUpper < total) return false;
  return bounds.lower.every((lo, i) => lo <= (bounds.upper[i] ?? -1));
}

/**
 * The ratio-sum ceiling of the pool for totals beyond `total`: backends already at 100 per
 * member stay there, the others grow at most with their upper share. Returns the largest total
 * that could still fit, Infinity when the pool can still grow without limit.
 */
function largestReachableTotal(serving: Serving[], total: number): number {
  let capped = 0;
  let slope = 0;
  for (const b of serving) {
    const cap = MAX_MEMBER_RATIO * b.members.length;
    if (cap <= (b.target + SHARE_TOLERANCE) * total) capped += cap;
    else slope += b.target + SHARE_TOLERANCE;
  }
  return slope >= 1 ? Infinity : capped / (1 - slope) + EPSILON;
}

/**
 * The next total worth trying after an infeasible `total`, or undefined when no larger total
 * can work. Lower bounds only grow with the total, so a total below their sum cannot work.
 */
function nextTotal(serving: Serving[], total: number, bounds: TotalBounds): number | undefined {
  const overfull = serving.some((b, i) => (bounds.lower[i] ?? 0) > MAX_MEMBER_RATIO * b.members.length);
  if (overfull) return undefined;
  const next = Math.max(total + 1, bounds.sumLower);
  if (bounds.sumUpper < total && next > largestReachableTotal(serving, total)) return undefined;
  return next;
}

/** The smallest pool total whose bounds admit a solution, with those bounds. */
function smallestTotal(serving: Serving[]): { total: number; bounds: TotalBounds } | undefined {
  let memberCount = 0;
  let total = 0;
  for (const b of serving) {
    memberCount += b.members.length;
    total = Math.max(total, Math.ceil(b.members.length / (b.target + SHARE_TOLERANCE) - EPSILON));
  }
  total = Math.max(total, memberCount);
  const maxTotal = MAX_MEMBER_RATIO * memberCount;
  for (let tries = 0; total <= maxTotal && tries < MAX_CANDIDATE_TOTALS; tries++) {
    const bounds = boundsAt(serving, total);
    if (feasible(bounds, total)) return { total, bounds };
    const next = nextTotal(serving, total, bounds);
    if (next === undefined) return undefined;
    total = next;
  }
  return undefined;
}

/** The backend (index) that should move first: furthest from its ideal sum, ties to the first. */
function neediest(serving: Serving[], sums: number[], total: number, room: (i: number) => number, sign: 1 | -1): number {
  let best = -1;
  let bestGap = -Infinity;
  serving.forEach((b, i) => {
    if (room(i) <= 0) return;
    const gap = sign * (b.target * total - (sums[i] ?? 0));
    if (gap > bestGap + EPSILON) {
      best = i;
      bestGap = gap;
    }
  });
  return best;
}

/**
 * Each backend's ratio sum for `total`: as close to its ideal share as its bounds allow, the
 * rounding differences given to the backends furthest from their ideal (largest remainder).
 */
function backendSums(serving: Serving[], total: number, bounds: TotalBounds): number[] {
  const sums = serving.map((b, i) => Math.min(bounds.upper[i] ?? 0, Math.max(bounds.lower[i] ?? 0, Math.round(b.target * total))));
  let missing = total - sums.reduce((a, s) => a + s, 0);
  while (missing !== 0) {
    const sign = missing > 0 ? 1 : -1;
    const room = (i: number): number => (sign > 0 ? (bounds.upper[i] ?? 0) - (sums[i] ?? 0) : (sums[i] ?? 0) - (bounds.lower[i] ?? 0));
    const i = neediest(serving, sums, total, room, sign);
    const b = serving[i];
    if (!b) break;
    const gap = sign * (b.target * total - (sums[i] ?? 0));
    const step = Math.min(Math.abs(missing), room(i), Math.max(1, Math.ceil(gap - EPSILON)));
    sums[i] = (sums[i] ?? 0) + sign * step;
    missing -= sign * step;
  }
  return sums;
}

/** The member with its ratio (a copy: the caller's members are not changed). */
function withRatio(m: PoolMember, ratio: number): WeightedMember {
  const out: WeightedMember = { address: m.address, port: m.port, ratio };
  if (m.cluster !== undefined) out.cluster = m.cluster;
  if (m.adminState !== undefined) out.adminState = m.adminState;
  if (m.priorityGroup !== undefined) out.priorityGroup = m.priorityGroup;
  return out;
}

/** A backend's ratio sum spread over its (sorted) members: equal, the remainder to the first. */
function spreadOverMembers(b: Serving, sum: number): WeightedMember[] {
  const n = b.members.length;
  const base = Math.floor(sum / n);
  const extra = sum - base * n;
  return b.members.map((m, i) => withRatio(m, base + (i < extra ? 1 : 0)));
}

function percent(fraction: number): string {
  return `${Number((fraction * 100).toFixed(2))}%`;
}

function describeBackend(b: Serving): string {
  return `${b.key} (weight ${b.weight} = ${percent(b.target)}, ${b.members.length} member${b.members.length === 1 ? '' : 's'})`;
}

/** The share a backend gets with ratio `own` on its members and `others` on everyone else's. */
function extremeShare(serving: Serving[], b: Serving, own: number, others: number): number {
  const memberCount = serving.reduce((a, x) => a + x.members.length, 0);
  const n = b.members.length;
  return (own * n) / (own * n + others * (memberCount - n));
}

/**
 * Why no ratios work, in terms a network engineer checks: a backend whose share cannot get low
 * (or high) enough even with the most lopsided ratios, else the whole list.
 */
function splitReason(serving: Serving[]): string {
  const limits = `member ratios (1 to ${MAX_MEMBER_RATIO} per member)`;
  for (const b of serving) {
    const least = extremeShare(serving, b, 1, MAX_MEMBER_RATIO);
    if (least > b.target + SHARE_TOLERANCE) {
      return (
        `${limits} cannot give ${describeBackend(b)} its share in one pool: even with ratio 1 on each of its members ` +
        `and ${MAX_MEMBER_RATIO} on every other member it would get ${percent(least)}`
      );
    }
    const most = extremeShare(serving, b, MAX_MEMBER_RATIO, 1);
    if (most < b.target - SHARE_TOLERANCE) {
      return (
        `${limits} cannot give ${describeBackend(b)} its share in one pool: even with ratio ${MAX_MEMBER_RATIO} on each of ` +
        `its members and 1 on every other member it would get only ${percent(most)}`
      );
    }
  }
  return (
    `member ratios (1 to ${MAX_MEMBER_RATIO} per member) cannot give ${serving.map(describeBackend).join(', ')} ` +
    `their shares within 1 percentage point in one pool`
  );
}

/** `ip:port` listed by two backends: one pool cannot hold the same member twice. */
function sharedMember(serving: Serving[]): string | undefined {
  // Keyed by address (no new strings for the common case): the ports and owners listed there.
  const owners = new Map<string, Array<{ port: number; key: string }>>();
  for (const b of serving) {
    for (const m of b.members) {
      const listed = owners.get(m.address);
      const first = listed?.find((o) => o.port === m.port);
      if (first) {
        const id = m.address.includes(':') ? `[${m.address}]:${m.port}` : `${m.address}:${m.port}`;
        return `backends ${first.key} and ${b.key} both have member ${id}, and one pool cannot list a member twice`;
      }
      if (listed) listed.push({ port: m.port, key: b.key });
      else owners.set(m.address, [{ port: m.port, key: b.key }]);
    }
  }
  return undefined;
}

function servingBackends(sorted: WeightedMembers[]): Serving[] {
  const withMembers = sorted
    .filter((b) => effectiveWeight(b.weight) > 0)
    .map((b) => ({ key: b.key, weight: effectiveWeight(b.weight), members: b.members, target: 0 }))
    .filter((b) => b.members.length > 0);
  const sum = withMembers.reduce((a, b) => a + b.weight, 0);
  for (const b of withMembers) b.target = b.weight / sum;
  return withMembers;
}

/**
 * One ratio per backend, the same for all its members, when that meets the tolerance: the pods
 * of one Service then get equal traffic, which is what a user expects. Candidates scale the
 * per-member ideal (weight share over member count) so the lightest backend's members get
 * 1, 2, … 100, clamped to 1–100; the most accurate candidate wins (ties: the smallest ratios).
 * Undefined when none fits (the caller then spreads uneven ratios within a backend).
 */
function uniformRatios(serving: Serving[]): number[] | undefined {
  const perMember = serving.map((b) => b.target / b.members.length);
  const smallest = Math.min(...perMember);
  let best: { ratios: number[]; error: number } | undefined;
  for (let k = 1; k <= MAX_MEMBER_RATIO; k++) {
    const ratios = perMember.map((u) => Math.min(MAX_MEMBER_RATIO, Math.max(1, Math.round((k * u) / smallest))));
    const total = serving.reduce((a, b, i) => a + b.members.length * (ratios[i] ?? 0), 0);
    const error = Math.max(...serving.map((b, i) => Math.abs((b.members.length * (ratios[i] ?? 0)) / total - b.target)));
    if (error <= SHARE_TOLERANCE + EPSILON && (!best || error < best.error - EPSILON)) best = { ratios, error };
    if (best && best.error <= EPSILON) break;
  }
  return best?.ratios;
}

/**
 * Member ratios for one pool that holds every weighted backend, so each backend's share of new
 * connections (its members' ratios over the pool's total) is its weight over the sum of weights,
 * within one percentage point. Equal ratios within each backend are preferred (uniformRatios);
 * otherwise the smallest ratios that fit are chosen and a backend's total is spread
 * evenly over its members (in their order; the first ones get the remainder).
 * Backends with weight 0 contribute no members. A backend without members cannot take traffic:
 * its share goes to the others in proportion to their weights; with no serving backend at all
 * (normalization rejects weights that are all 0) the pool has no members.
 * Precondition: each backend's members are sorted by address and port and unique, as
 * resolveBackend gives them; the backends are sorted here, so their order does not matter.
 */
export function memberRatios(backends: WeightedMembers[]): RatioPlan {
  const serving = servingBackends([...backends].sort(compareBackends));
  if (serving.length === 0) return { kind: 'ratio', members: [] };
  const shared = sharedMember(serving);
  if (shared !== undefined) return { kind: 'split', reason: shared };
  const uniform = uniformRatios(serving);
  if (uniform) {
    const members: WeightedMember[] = [];
    serving.forEach((b, i) => {
      const ratio = uniform[i] ?? 0;
      for (const m of b.members) members.push(withRatio(m, ratio));
    });
    return { kind: 'ratio', members };
  }
  const found = smallestTotal(serving);
  if (!found) return { kind: 'split', reason: splitReason(serving) };
  const sums = backendSums(serving, found.total, found.bounds);
  const members: WeightedMember[] = [];
  serving.forEach((b, i) => members.push(...spreadOverMembers(b, sums[i] ?? 0)));
  return { kind: 'ratio', members };
}
