import type { ClusterEntry, ClusterSetMode } from '../inventory/cluster-set.js';
import { namespacedName } from '../kube/refs.js';
import type { BackendRef } from '../model/virtual.js';
import type { PoolMember } from './member.js';
import { sortMembers } from './member.js';
import type { BackendProblem, ResolveContext } from './resolved-backend.js';
import { resolveBackend } from './resolve-backend.js';

/** One backend's members in one cluster of the set. */
export interface ClusterMembers {
  /** The cluster's name; undefined for a single cluster (its members carry no cluster mark). */
  cluster?: string;
  /** Tagged with the cluster, its admin state and (active-standby) its priority group. */
  members: PoolMember[];
  /** The Service exists in this cluster (it may still have no ready endpoints). */
  found: boolean;
  /** The cluster's configured ratio (`ratio` mode shares). */
  ratio: number;
  /** Failover order: 0 for the primary. */
  rank: number;
}

export interface ResolvedClusters {
  /** In cluster-list order; clusters with `adminState: no-pool` are left out. */
  clusters: ClusterMembers[];
  problems: BackendProblem[];
}

/** A cluster of the set with the resolve context of the virtual being translated. */
export interface ClusterScope {
  entry: ClusterEntry;
  ctx: ResolveContext;
}

const NOT_FOUND = 'service';

/**
 * AS3 `priorityGroup` of a cluster's members in active-standby: the primary highest, then the
 * others in list order, so the BIG-IP moves to the next cluster when every member of the higher
 * group is down (`minimumMembersActive: 1`).
 */
function priorityGroup(rank: number, clusterCount: number): number {
  return clusterCount - rank;
}

/**
 * Marks members with their cluster, its admin state and (active-standby) its priority group. The
 * members are the fresh objects resolveBackend just made for this call (static members are added
 * separately), so they are marked in place: a cluster set multiplies the members of every pool,
 * and copying each one again showed in the cold-start time.
 */
function tag(members: PoolMember[], entry: ClusterEntry, mode: ClusterSetMode, clusterCount: number): PoolMember[] {
  const admin = entry.adminState === 'disable' || entry.adminState === 'offline' ? entry.adminState : undefined;
  const group = mode === 'active-standby' ? priorityGroup(entry.rank, clusterCount) : undefined;
  for (const m of members) {
    m.cluster = entry.name;
    if (admin) m.adminState = admin;
    if (group !== undefined) m.priorityGroup = group;
  }
  return members;
}

/** The clusters a backend is looked up in: the named one, the local one (`default` mode), or all. */
function candidates(scopes: readonly ClusterScope[], mode: ClusterSetMode, local: string, only: string | undefined): ClusterScope[] {
  if (only !== undefined) return scopes.filter((s) => s.entry.name === only);
  if (mode === 'default') return scopes.filter((s) => s.entry.name === local);
  return [...scopes];
}

/**
 * Resolves a backend in the clusters of a set (docs/multi-cluster.md). A Service that exists in only some
 * clusters is normal (an application may run in only some); it is reported only when no cluster
 * has it. Other problems name the cluster. Static members are added once, with the first cluster's
 * members but without its marks.
 * Clusters with `adminState: no-pool` give no members; unreadable clusters give none here either
 * (their members are carried over from the BIG-IP) and are not reported per backend.
 * `only`: the cluster an explicit `multiClusterServices` entry names.
 */
export function resolveAcrossClusters(
  scopes: readonly ClusterScope[],
  set: { mode: ClusterSetMode; local: string },
  backend: BackendRef,
  only?: string,
): ResolvedClusters {
  if (set.mode === 'single') {
    const scope = scopes[0] as ClusterScope;
    const resolved = resolveBackend(scope.ctx, backend);
    return {
      clusters: [{ members: resolved.members, found: !resolved.missing, ratio: scope.entry.ratio, rank: 0 }],
      problems: resolved.problems,
    };
  }
  const clusters: ClusterMembers[] = [];
  const problems: BackendProblem[] = [];
  const missing: string[] = [];
  const { staticMembers: statics, ...withoutStatics } = backend;
  for (const scope of candidates(scopes, set.mode, set.local, only)) {
    const { entry } = scope;
    if (entry.adminState === 'no-pool') continue;
    const resolved = resolveBackend(scope.ctx, withoutStatics);
    const found = !resolved.missing;
    if (!found && entry.unreadable === undefined) missing.push(entry.name);
    for (const p of resolved.problems) {
      if (p.field !== NOT_FOUND || found) problems.push({ ...p, message: `cluster ${entry.name}: ${p.message}` });
    }
    clusters.push({
      cluster: entry.name,
      members: tag(resolved.members, entry, set.mode, scopes.length),
      found,
      ratio: entry.ratio,
      rank: entry.rank,
    });
  }
  const first = clusters[0];
  if (statics && first) {
    // Static members are outside every cluster: no cluster mark or admin state; in active-standby
    // they are in the primary's group (always in use, like a static member of a single cluster).
    const group = set.mode === 'active-standby' ? { priorityGroup: priorityGroup(0, scopes.length) } : {};
    first.members = sortMembers([...first.members, ...statics.map((m) => ({ ...m, ...group }))]);
  }
  if (!clusters.some((c) => c.found) && missing.length > 0) {
    const name = namespacedName(backend.namespace, backend.service);
    problems.push({
      severity: 'warning',
      field: NOT_FOUND,
      message: `Service ${name} not found in cluster${missing.length === 1 ? '' : 's'} ${missing.join(', ')}; its endpoints are not in the pool until it exists`,
    });
  }
  return { clusters, problems };
}
