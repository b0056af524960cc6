/**
 * Traffic weights (`weight` / `alternateBackends`, multi-cluster ratios and service weights) as
 * AS3 pool-member ratios: one pool holds every backend's members and the BIG-IP's `ratio-member`
 * load balancing gives each backend its share. AS3 3.56 `Pool_Member.ratio` is an integer 0–100;
 * members that take traffic get 1–100 here. When no ratios give every backend its share within
 * one percentage point, the plan says `split`: the caller then builds one pool per backend and
 * a weighted iRule (weighted-irule.ts).
 *
 * CIS always uses per-backend pools plus a data group and an iRule for weights, and never emits
 * member ratios (its ratio writer is dead code); SPEC §4 asks for ratios first.
 */
import { compareAddresses } from '../lib/ip.js';
import { sortMembers } from '../resolve/member.js';
import type { Member } from '../resolve/member.js';

/** One backend (a Service in one cluster, or an alternate backend) and its relative weight. */
export interface WeightedMembers {
  /** Stable identity of the backend, reported back in `RatioMember.backend` and `shares`. */
  key: string;
  /** Relative share of traffic; 0 (or a negative or non-finite value) takes no traffic. */
  weight: number;
  members: Member[];
}

/** One pool member with the ratio that gives its backend the configured share. */
export interface RatioMember {
  address: string;
  port: number;
  /** AS3 `Pool_Member.ratio`, 1–100. */
  ratio: number;
  /** `key` of the backend the member belongs to. */
  backend: string;
}

/**
 * - `ratio`: one pool with `loadBalancingMode: ratio-member` and these members. `shares` holds
 *   the fraction of traffic (0–1) each input backend gets when every member is up; a backend
 *   with weight 0 or without members gets 0, and the configured share of a backend without
 *   members is spread over the others in proportion to their weights.
 * - `split`: ratios cannot meet the weights; use one pool per backend and a weighted iRule.
 * - `none`: every weight is 0, so no traffic can go anywhere: an error on the resource.
 */
export type RatioPlan =
  | { kind: 'ratio'; members: RatioMember[]; shares: Record<string, number> }
  | { kind: 'split'; reason: string }
  | { kind: 'none'; reason: string };

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
  members: Member[];
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

/** A backend's ratio sum spread over its (sorted) members: equal, the remainder to the first. */
function spreadOverMembers(b: Serving, sum: number): RatioMember[] {
  const n = b.members.length;
  const base = Math.floor(sum / n);
  const extra = sum - base * n;
  return b.members.map((m, i) => ({ address: m.address, port: m.port, ratio: base + (i < extra ? 1 : 0), backend: b.key }));
}

function percent(fraction: number): string {
  return `${Number((fraction * 100).toFixed(2))}%`;
}

function describeBackend(b: Serving): string {
  return `${b.key} (weight ${b.weight} = ${percent(b.target)}, ${b.members.length} member${b.members.length === 1 ? '' : 's'})`;
}

const SPLIT_CONSEQUENCE = 'this version of kube-as3 cannot serve such a split yet (the weighted-iRule fallback is not implemented), so the route is not published; change the weights or the pod counts';

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
      return `${limits} cannot give ${describeBackend(b)} its share in one pool: even with ratio 1 on each of its members ` +
        `and ${MAX_MEMBER_RATIO} on every other member it would get ${percent(least)}; ${SPLIT_CONSEQUENCE}`;
    }
    const most = extremeShare(serving, b, MAX_MEMBER_RATIO, 1);
    if (most < b.target - SHARE_TOLERANCE) {
      return `${limits} cannot give ${describeBackend(b)} its share in one pool: even with ratio ${MAX_MEMBER_RATIO} on each of ` +
        `its members and 1 on every other member it would get only ${percent(most)}; ${SPLIT_CONSEQUENCE}`;
    }
  }
  return `member ratios (1 to ${MAX_MEMBER_RATIO} per member) cannot give ${serving.map(describeBackend).join(', ')} ` +
    `their shares within 1 percentage point in one pool; ${SPLIT_CONSEQUENCE}`;
}

/** `ip:port` listed by two backends: one pool cannot hold the same member twice. */
function sharedMember(serving: Serving[]): string | undefined {
  const owner = new Map<string, string>();
  for (const b of serving) {
    for (const m of b.members) {
      const id = m.address.includes(':') ? `[${m.address}]:${m.port}` : `${m.address}:${m.port}`;
      const first = owner.get(id);
      if (first !== undefined) {
        return `backends ${first} and ${b.key} both have member ${id}, and one pool cannot list a member twice; ${SPLIT_CONSEQUENCE}`;
      }
      owner.set(id, b.key);
    }
  }
  return undefined;
}

/** A plain dotted-quad IPv4 address as a number, -1 for anything else (IPv6, `%rd`, `010`). */
function plainIPv4(text: string): number {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || dots === 3) return -1;
      value = value * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57 && !(digits === 1 && part === 0) && digits < 3) {
      part = part * 10 + (c - 48);
      digits++;
      if (part > 255) return -1;
    } else return -1;
  }
  return dots === 3 && digits > 0 ? value * 256 + part : -1;
}

function memberBefore(a: Member, b: Member): boolean {
  const x = plainIPv4(a.address);
  const y = plainIPv4(b.address);
  const byAddress = x >= 0 && y >= 0 ? x - y : compareAddresses(a.address, b.address);
  return byAddress < 0 || (byAddress === 0 && a.port < b.port);
}

/**
 * Members in `sortMembers` order without duplicates. Resolved members usually arrive that way,
 * so checking first (cheap for IPv4) saves re-sorting every weighted pool on every change.
 */
function canonicalMembers(members: Member[]): Member[] {
  for (let i = 1; i < members.length; i++) {
    if (!memberBefore(members[i - 1] as Member, members[i] as Member)) return sortMembers(members);
  }
  return members;
}

function servingBackends(sorted: WeightedMembers[]): Serving[] {
  const withMembers = sorted
    .filter((b) => effectiveWeight(b.weight) > 0)
    .map((b) => ({ key: b.key, weight: effectiveWeight(b.weight), members: canonicalMembers(b.members), target: 0 }))
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
 * evenly over its members (sorted by address and port; the first ones get the remainder).
 * Backends with weight 0 contribute no members. A backend without members cannot take traffic:
 * its share goes to the others in proportion to their weights (its `shares` entry is 0).
 * The same backends in any order give the same plan.
 */
export function memberRatios(backends: WeightedMembers[]): RatioPlan {
  const sorted = [...backends].sort(compareBackends);
  if (!sorted.some((b) => effectiveWeight(b.weight) > 0)) {
    return { kind: 'none', reason: 'weights all zero: no backend may take traffic; give at least one backend a weight above 0' };
  }
  const shares: Record<string, number> = {};
  for (const b of sorted) shares[b.key] = 0;
  const serving = servingBackends(sorted);
  if (serving.length === 0) return { kind: 'ratio', members: [], shares };
  const shared = sharedMember(serving);
  if (shared !== undefined) return { kind: 'split', reason: shared };
  const uniform = uniformRatios(serving);
  if (uniform) {
    const total = serving.reduce((a, b, i) => a + b.members.length * (uniform[i] ?? 0), 0);
    const members: RatioMember[] = [];
    serving.forEach((b, i) => {
      const ratio = uniform[i] ?? 0;
      for (const m of b.members) members.push({ address: m.address, port: m.port, ratio, backend: b.key });
      shares[b.key] = (b.members.length * ratio) / total;
    });
    return { kind: 'ratio', members, shares };
  }
  const found = smallestTotal(serving);
  if (!found) return { kind: 'split', reason: splitReason(serving) };
  const sums = backendSums(serving, found.total, found.bounds);
  const members: RatioMember[] = [];
  serving.forEach((b, i) => {
    const sum = sums[i] ?? 0;
    members.push(...spreadOverMembers(b, sum));
    shares[b.key] = (shares[b.key] ?? 0) + sum / found.total;
  });
  return { kind: 'ratio', members, shares };
}
