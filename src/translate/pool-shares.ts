/**
 * How a pool's traffic is divided among backends and clusters (docs/multi-cluster.md), as data: the shares a
 * route asks for, and, once the pool is built, what each share effectively gets. pool-set.ts
 * turns shares into members (ratios) or pools (the weighted-iRule fallback).
 */
import type { BackendRef, Route } from '../model/virtual.js';
import type { PoolMember } from '../resolve/member.js';
import type { ClusterMembers, ResolvedClusters } from '../resolve/resolve-clusters.js';

/** One slice of a route's traffic: a backend in one cluster, or in every cluster together. */
export interface Share {
  /** `ns/service:port`, with ` @cluster` when the share is one cluster's: names it in reasons and the summary. */
  key: string;
  backend: BackendRef;
  /** Set when the share holds one cluster's members only. */
  cluster?: string;
  /** Relative share of traffic; 0 takes none. */
  weight: number;
  /** Failover order of the share's cluster (active-standby groups shares by it). */
  rank: number;
  members: PoolMember[];
}

/**
 * - `members`: one pool, every member alike (round robin or the chosen method);
 * - `priority-groups`: one pool, the primary cluster's members first (active-standby);
 * - `member-ratios`: one pool whose member ratios give each share its weight;
 * - `weighted-irule`: one pool per share, a generated iRule picks by weight.
 */
export type PoolMechanism = 'members' | 'priority-groups' | 'member-ratios' | 'weighted-irule';

/** One row of the share table in `plan -o summary`. */
export interface ShareRow {
  /** The pool the share's members are in (split pools differ per share). */
  pool: string;
  cluster: string;
  backend: string;
  members: number;
  /** Configured fraction of the traffic (undefined when nothing was configured: plain pools). */
  configured?: number;
  /** Fraction of new connections the BIG-IP gives the share while all members are up. */
  effective: number;
  priorityGroup?: number;
  adminState?: string;
}

export interface PoolShares {
  mechanism: PoolMechanism;
  /** May be computed on first read. */
  readonly rows: ShareRow[];
}

/** One backend of a route with its weight (the primary first, then `alternateBackends`). */
export interface WeightedRef {
  backend: BackendRef;
  weight: number;
  field: string;
  resolved: ResolvedClusters;
}

export function backendText(b: BackendRef): string {
  return `${b.namespace}/${b.service}:${b.servicePort}`;
}

/**
 * Members of several clusters in one list: each cluster's members (sorted, as resolution gives
 * them) in cluster order. The AS3 pool groups them per cluster anyway, so no global sort is
 * needed. An address:port that two clusters both give (overlapping pod or node networks) is kept
 * once, from the earlier cluster: one pool cannot list a member twice. Returns the duplicates for
 * a warning.
 */
export function unionMembers(clusters: Array<Pick<ClusterMembers, 'members'>>): { members: PoolMember[]; duplicates: string[] } {
  // One cluster's members come sorted and unique from resolveBackend: the common case costs nothing.
  if (clusters.length === 1) return { members: (clusters[0] as ClusterMembers).members, duplicates: [] };
  // Ports seen per address: keyed by the address strings the members already hold, so a pool of
  // many members costs no new strings.
  const seen = new Map<string, number | number[]>();
  const members: PoolMember[] = [];
  const duplicates: string[] = [];
  for (const c of clusters) {
    for (const m of c.members) {
      const ports = seen.get(m.address);
      if (ports === m.port || (Array.isArray(ports) && ports.includes(m.port))) {
        duplicates.push(`${m.address}:${m.port}`);
        continue;
      }
      seen.set(m.address, ports === undefined ? m.port : [...(Array.isArray(ports) ? ports : [ports]), m.port]);
      members.push(m);
    }
  }
  return { members, duplicates };
}

/** Every cluster of one backend together: the share of a backend in the modes without cluster ratios. */
export function backendShares(refs: WeightedRef[]): Share[] {
  return refs.map((r, i) => ({
    key: numberedKey(refs, i),
    backend: r.backend,
    weight: r.weight,
    rank: 0,
    members: unionMembers(r.resolved.clusters).members,
  }));
}

/**
 * One share per (backend, cluster that has its Service): `ratio` mode and active-standby weights.
 * `byClusterRatio`: each backend's weight is divided among its clusters by cluster ratio
 * (share = weight × ratio / sum of the ratios of the clusters that have the Service); otherwise
 * each cluster's share carries the backend's weight (active-standby: shares compete within a cluster only).
 */
export function clusterShares(refs: WeightedRef[], byClusterRatio: boolean): Share[] {
  const out: Share[] = [];
  refs.forEach((r, i) => {
    const present = r.resolved.clusters.filter((c) => c.found || c.members.length > 0);
    const ratios = present.reduce((a, c) => a + c.ratio, 0);
    for (const c of present) {
      const weight = byClusterRatio ? (ratios > 0 ? (r.weight * c.ratio) / ratios : 0) : r.weight;
      out.push({
        key: `${numberedKey(refs, i)}${c.cluster === undefined ? '' : ` @${c.cluster}`}`,
        backend: r.backend,
        ...(c.cluster === undefined ? {} : { cluster: c.cluster }),
        weight,
        rank: c.rank,
        members: c.members,
      });
    }
  });
  return out;
}

/** `ns/service:port`, numbered when a route lists the same backend twice. */
function numberedKey(refs: Array<{ backend: BackendRef }>, i: number): string {
  const own = backendText((refs[i] as { backend: BackendRef }).backend);
  return refs.filter((b) => backendText(b.backend) === own).length > 1 ? `${own} #${i + 1}` : own;
}

/** Whether a route needs weights at all: alternates, explicit cluster entries, or `ratio` mode. */
export function isWeighted(route: Route, ratioMode: boolean): boolean {
  return (route.alternates !== undefined && route.alternates.length > 0) || route.clusterServices !== undefined || ratioMode;
}

/**
 * Weights for the weighted iRule: whole numbers as users wrote them, or, when cluster ratios made
 * fractions, basis points of the total (0.01 % steps; a share above 0 keeps at least 1).
 */
export function iruleWeights(weights: number[]): number[] {
  if (weights.every((w) => Number.isInteger(w))) return weights;
  const total = weights.reduce((a, w) => a + (w > 0 ? w : 0), 0);
  return weights.map((w) => (w > 0 && total > 0 ? Math.max(1, Math.round((w / total) * 10_000)) : 0));
}

/** Disabled and offline members take no new connections. */
function serves(m: PoolMember): boolean {
  return m.adminState === undefined;
}

function fraction(part: number, total: number): number {
  return total > 0 ? part / total : 0;
}

function memberState(members: PoolMember[]): Pick<ShareRow, 'priorityGroup' | 'adminState'> {
  const first = members[0];
  return {
    ...(first?.priorityGroup === undefined ? {} : { priorityGroup: first.priorityGroup }),
    ...(first?.adminState === undefined ? {} : { adminState: first.adminState }),
  };
}

function clusterOf(share: Share): string {
  return share.cluster ?? ([...new Set(share.members.map((m) => m.cluster ?? '-'))].join('+') || '-');
}

/**
 * Rows for a pool of one list of members (`members`, `priority-groups`): per cluster, its
 * members' part of round robin, or (priority groups) everything for the highest group. Here and
 * below, members that are disabled or offline get no share.
 */
export function unionRows(pool: string, backend: BackendRef, members: PoolMember[], mechanism: 'members' | 'priority-groups'): ShareRow[] {
  const byCluster = new Map<string, PoolMember[]>();
  for (const m of members) byCluster.set(m.cluster ?? '-', [...(byCluster.get(m.cluster ?? '-') ?? []), m]);
  const serving = members.filter(serves);
  const top = Math.max(...serving.map((m) => m.priorityGroup ?? 0));
  return [...byCluster].map(([cluster, list]) => {
    const up = list.filter(serves);
    return {
      pool,
      cluster,
      backend: backendText(backend),
      members: list.length,
      effective: mechanism === 'priority-groups' ? (up[0]?.priorityGroup === top ? 1 : 0) : fraction(up.length, serving.length),
      ...memberState(list),
    };
  });
}

/**
 * Rows for a pool with member ratios. Shares compete within their priority group (one group
 * unless active-standby), so configured and effective fractions are computed per group.
 */
export function ratioRows(pool: string, shares: Share[], members: PoolMember[]): ShareRow[] {
  const groupOf = (m: PoolMember | undefined): number => m?.priorityGroup ?? 0;
  return shares.map((s) => {
    const group = groupOf(s.members[0]);
    const own = new Set(s.members.map((m) => `${m.address}:${m.port}`));
    const inGroup = members.filter((m) => groupOf(m) === group && serves(m));
    const ratioSum = (list: PoolMember[]): number => list.reduce((a, m) => a + (m.ratio ?? 1), 0);
    const mine = inGroup.filter((m) => own.has(`${m.address}:${m.port}`));
    const serving = shares.filter((x) => groupOf(x.members[0]) === group && x.members.length > 0 && x.weight > 0);
    const weights = serving.reduce((a, x) => a + x.weight, 0);
    return {
      pool,
      cluster: clusterOf(s),
      backend: backendText(s.backend),
      members: s.members.length,
      configured: s.members.length > 0 && s.weight > 0 ? fraction(s.weight, weights) : 0,
      effective: fraction(ratioSum(mine), ratioSum(inGroup)),
      ...memberState(s.members),
    };
  });
}

/** Rows for split pools: the iRule picks a pool with members by weight. */
export function splitRows(pools: Array<{ name: string; share: Share; weight: number }>): ShareRow[] {
  const configuredTotal = pools.reduce((a, p) => a + (p.weight > 0 ? p.weight : 0), 0);
  const up = (p: { share: Share }): boolean => p.share.members.some(serves);
  const servingTotal = pools.reduce((a, p) => a + (p.weight > 0 && up(p) ? p.weight : 0), 0);
  return pools.map((p) => ({
    pool: p.name,
    cluster: clusterOf(p.share),
    backend: backendText(p.share.backend),
    members: p.share.members.length,
    configured: fraction(Math.max(p.weight, 0), configuredTotal),
    effective: up(p) ? fraction(Math.max(p.weight, 0), servingTotal) : 0,
    ...memberState(p.share.members),
  }));
}
