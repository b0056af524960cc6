import type { ClusterSetMode } from '../inventory/cluster-set.js';
import type { Diagnostic } from '../kube/diagnostic.js';
import { diagnostic } from '../kube/diagnostic.js';
import type { BackendRef, MonitorModel, Route } from '../model/virtual.js';
import type { PoolMember } from '../resolve/member.js';
import type { ResolvedClusters } from '../resolve/resolve-clusters.js';
import type { As3Application } from '../model/as3-types.js';
import { translateMonitor } from './monitor.js';
import { as3Name } from '../model/names.js';
import type { NameScope } from '../model/names.js';
import { translatePool } from './pool.js';
import type { PoolMechanism, PoolShares, Share, ShareRow, WeightedRef } from './pool-shares.js';
import { backendShares, clusterShares, iruleWeights, isWeighted, ratioRows, splitRows, unionMembers, unionRows } from './pool-shares.js';
import { memberRatios } from './ratios.js';

/**
 * Where pool members come from: the cluster set's mode and a resolver that looks a backend up in
 * every cluster (or in the one an explicit `multiClusterServices` entry names).
 */
export interface Membership {
  mode: ClusterSetMode;
  resolve(backend: BackendRef, cluster?: string): ResolvedClusters;
}

/** One share's own pool when weights are split over pools (docs/multi-cluster.md fallback). */
export interface SplitPool {
  name: string;
  backend: BackendRef;
  weight: number;
  members: PoolMember[];
}

/** One AS3 pool of an application (or, for split weights, a set of pools) and what it was made from. */
export interface PoolEntry {
  /** The pool routes forward to: for split weights, the primary share's own pool. */
  name: string;
  route: Route;
  /** Every member the entry sends traffic to (for split weights, of all its pools). */
  members: PoolMember[];
  /**
   * Set when the weights cannot be member ratios: one pool per share with a weight above 0 (the
   * primary's first, named `name`), chosen by the generated iRule of weighted-irule.ts.
   */
  split?: SplitPool[];
  /** How the traffic is divided (weighted pools and multi-cluster pools), for the summary. */
  shares?: PoolShares;
  /** Load balancing method replaced by its ratio variant (weights are member ratios). */
  ratioMode?: boolean;
}

/** Summary rows are only read by `plan -o summary`: computed on first use, not for every pool of every plan. */
function lazyShares(mechanism: PoolMechanism, compute: () => ShareRow[]): PoolShares {
  let rows: ShareRow[] | undefined;
  return {
    mechanism,
    get rows(): ShareRow[] {
      rows ??= compute();
      return rows;
    },
  };
}

function poolKey(route: Route): string {
  return JSON.stringify([
    route.backend,
    route.monitors,
    route.pool ?? null,
    route.poolName ?? null,
    route.alternates ?? null,
    route.weight ?? null,
    route.clusterServices ?? null,
  ]);
}

function remarkFor(backend: BackendRef): string {
  return `${backend.namespace}/${backend.service}:${backend.servicePort}`.slice(0, 64);
}

function backendName(backend: BackendRef): string {
  const { service, servicePort, namespace, nodeMemberLabel } = backend;
  return as3Name(`${service}_${servicePort}_${namespace}${nodeMemberLabel ? `_${nodeMemberLabel}` : ''}`);
}

function preferredName(route: Route): string {
  return route.poolName ? as3Name(route.poolName) : backendName(route.backend);
}

/** The field a route's weights came from, for messages. */
function weightsField(route: Route): string {
  if (route.clusterServices) return `${route.field}.multiClusterServices`;
  return route.alternates && route.alternates.length > 0 ? `${route.field}.alternateBackends` : route.field;
}

/**
 * The pools of one application: one per distinct backend (with its monitors and settings), shared
 * by every route that uses the same one. Resolution problems become diagnostics on the routes.
 * With several clusters (docs/multi-cluster.md) a pool holds every cluster's members: alike (active-active),
 * in priority groups (active-standby), or with member ratios that give each cluster and backend
 * its share (`ratio`, `alternateBackends`, `multiClusterServices`).
 */
export class PoolSet {
  private readonly entries = new Map<string, PoolEntry>();
  readonly diagnostics: Diagnostic[] = [];

  /**
   * `splitAllowed: false` for TLS passthrough virtuals: they route by the SNI in the ClientHello,
   * after CLIENT_ACCEPTED, so no iRule event can pick a pool per connection by weight there.
   */
  constructor(
    private readonly app: As3Application,
    private readonly scope: NameScope,
    private readonly membership: Membership,
    private readonly splitAllowed = true,
  ) {}

  private get multi(): boolean {
    return this.membership.mode !== 'single';
  }

  /** The pool for a route, created on first use; `undefined` when the route cannot have one. */
  poolFor(route: Route): PoolEntry | undefined {
    const key = poolKey(route);
    const existing = this.entries.get(key);
    if (existing) return existing;
    const name = this.scope.claim(preferredName(route), key);
    const entry = isWeighted(route, this.membership.mode === 'ratio') ? this.weighted(route, name, key) : this.plain(route, name);
    if (entry) this.entries.set(key, entry);
    return entry;
  }

  private resolve(route: Route, backend: BackendRef, field: string, cluster?: string): ResolvedClusters {
    const resolved = this.membership.resolve(backend, cluster);
    for (const p of resolved.problems) this.diagnostics.push(diagnostic(route.source, p.severity, p.message, `${field}.${p.field}`));
    return resolved;
  }

  /** One backend, no weights: its members in every cluster, alike or in priority groups. */
  private plain(route: Route, name: string): PoolEntry {
    const resolved = this.resolve(route, route.backend, route.field);
    const { members, duplicates } = unionMembers(resolved.clusters);
    this.reportDuplicates(route, duplicates);
    if (!this.multi) return { name, route, members };
    const mechanism = this.membership.mode === 'active-standby' ? 'priority-groups' : 'members';
    return { name, route, members, shares: lazyShares(mechanism, () => unionRows(name, route.backend, members, mechanism)) };
  }

  private reportDuplicates(route: Route, duplicates: string[]): void {
    if (duplicates.length === 0) return;
    this.diagnostics.push(
      diagnostic(
        route.source,
        'warning',
        `${duplicates.join(', ')} ${duplicates.length === 1 ? 'is a member' : 'are members'} in more than one cluster; the pool lists each once (from the earlier cluster)`,
        route.field,
      ),
    );
  }

  /** The backends a weighted route divides traffic among, resolved. */
  private weightedRefs(route: Route): WeightedRef[] {
    if (route.clusterServices) {
      // Explicit entries share the traffic by their weights in every mode: no failover order among them.
      const flat = this.membership.mode === 'active-standby';
      return route.clusterServices.map((e) => {
        const resolved = this.resolve(route, e.backend, e.field, e.cluster);
        if (flat) for (const c of resolved.clusters) c.members = c.members.map(({ priorityGroup: _group, ...m }) => m);
        return { backend: e.backend, weight: e.weight, field: e.field, resolved };
      });
    }
    const backends = [{ backend: route.backend, weight: route.weight ?? 100, field: route.field }, ...(route.alternates ?? [])];
    return backends.map((b) => ({ ...b, resolved: this.resolve(route, b.backend, b.field) }));
  }

  /**
   * The shares of a weighted route: per explicit entry; per (backend, cluster) by cluster ratio in
   * `ratio` mode; per (backend, cluster) within each priority group in active-standby; else per
   * backend with every cluster's members.
   */
  private sharesOf(route: Route, refs: WeightedRef[]): Share[] {
    const mode = this.membership.mode;
    if (route.clusterServices) return clusterShares(refs, false);
    if (mode === 'ratio') return clusterShares(refs, true);
    if (mode === 'active-standby') return clusterShares(refs, false);
    return backendShares(refs);
  }

  /**
   * A weighted route: one pool whose member ratios give each share its weight's part of the
   * traffic (docs/multi-cluster.md). In active-standby the shares compete within their cluster's priority group.
   * When no ratios can do that within a percentage point, each share gets its own pool instead
   * (`split`) and the application adds the weighted iRule; the warning says so, since the plan
   * then holds an iRule. Weights that are all 0 never get here: normalization rejects them.
   */
  private weighted(route: Route, name: string, key: string): PoolEntry | undefined {
    const refs = this.weightedRefs(route);
    const shares = this.sharesOf(route, refs);
    const groups = new Map<number, Share[]>();
    for (const share of shares) groups.set(share.rank, [...(groups.get(share.rank) ?? []), share]);
    const members: PoolMember[] = [];
    for (const group of this.membership.mode === 'active-standby' && !route.clusterServices ? [...groups.values()] : [shares]) {
      const plan = memberRatios(group);
      if (plan.kind === 'split') return this.split(route, name, key, plan.reason, this.splitShares(route, refs, shares));
      members.push(...plan.members);
    }
    const chosen = route.pool?.loadBalancingMode;
    if (chosen !== undefined && chosen !== ratioMode(chosen)) {
      this.diagnostics.push(
        diagnostic(
          route.source,
          'warning',
          `${chosen} replaced by ${ratioMode(chosen)}: weights are member ratios, which only ratio modes honour`,
          `${route.field}.loadBalancingMethod`,
        ),
      );
    }
    // memberRatios splits when two shares list one member, so these members are unique.
    return { name, route, members, ratioMode: true, shares: lazyShares('member-ratios', () => ratioRows(name, shares, members)) };
  }

  /**
   * The pools of the fallback: one per share, except in active-standby, where each backend's
   * pool keeps every cluster's members in their priority groups (the iRule picks the backend,
   * the pool fails over by itself).
   */
  private splitShares(route: Route, refs: WeightedRef[], shares: Share[]): Share[] {
    return this.membership.mode === 'active-standby' && !route.clusterServices ? backendShares(refs) : shares;
  }

  private split(route: Route, name: string, key: string, reason: string, shares: Share[]): PoolEntry | undefined {
    const field = weightsField(route);
    if (!this.splitAllowed) {
      this.diagnostics.push(
        diagnostic(
          route.source,
          'error',
          `the weights cannot be expressed as pool member ratios (${reason}), and a TLS passthrough virtual cannot pick a pool per connection by weight; change the weights or the pod counts`,
          field,
        ),
      );
      return undefined;
    }
    const weights = iruleWeights(shares.map((s) => s.weight));
    const pools: Array<SplitPool & { share: Share }> = [];
    shares.forEach((share, i) => {
      const weight = weights[i] ?? 0;
      // The primary's pool always exists: the route's policy rule forwards to it before the iRule picks.
      if (i > 0 && weight <= 0) return;
      const own = share.cluster === undefined ? backendName(share.backend) : as3Name(`${backendName(share.backend)}_${share.cluster}`);
      pools.push({
        name: i === 0 ? name : this.scope.claim(own, `${key}#share${i}`),
        backend: share.backend,
        weight,
        members: share.members,
        share,
      });
    });
    this.diagnostics.push(
      diagnostic(
        route.source,
        'warning',
        `the weights cannot be expressed as pool member ratios (${reason}); each backend gets its own pool and a generated iRule picks one by weight`,
        field,
      ),
    );
    const split = pools.map(({ share: _share, ...pool }) => pool);
    return { name, route, members: pools.flatMap((p) => p.members), split, shares: lazyShares('weighted-irule', () => splitRows(pools)) };
  }

  private monitorRefs(entry: PoolEntry, key: string): Array<{ use: string } | { bigip: string }> {
    return entry.route.monitors.map((monitor: MonitorModel, i) => {
      if ('bigip' in monitor) return { bigip: monitor.bigip };
      const name = this.scope.claim(as3Name(`${entry.name}_${monitor.type}`), `${key}#monitor${i}`);
      this.app[name] = translateMonitor(monitor);
      return { use: name };
    });
  }

  /** Writes the pools (and their monitors) into the application, in creation order. */
  emit(): void {
    for (const [key, entry] of this.entries) {
      // Priority groups (active-standby) fail over when fewer than one member of the group is up.
      const minimumMembersActive = entry.members.some((m) => m.priorityGroup !== undefined) ? { minimumMembersActive: 1 } : {};
      const monitors = this.monitorRefs(entry, key);
      if (entry.split) {
        for (const p of entry.split) {
          this.app[p.name] = translatePool(p.members, {
            monitors,
            remark: remarkFor(p.backend),
            ...(entry.route.pool ? { settings: entry.route.pool } : {}),
            ...minimumMembersActive,
          });
        }
        continue;
      }
      const settings = entry.ratioMode
        ? { ...entry.route.pool, loadBalancingMode: ratioMode(entry.route.pool?.loadBalancingMode) }
        : entry.route.pool;
      this.app[entry.name] = translatePool(entry.members, {
        monitors,
        remark: remarkFor(entry.route.backend),
        ...(settings ? { settings } : {}),
        ...minimumMembersActive,
      });
    }
  }

  get pools(): PoolEntry[] {
    return [...this.entries.values()];
  }
}

/** Member ratios only count in ratio modes: least-connections becomes its ratio variant. */
function ratioMode(chosen: string | undefined): string {
  return chosen === 'least-connections-member' || chosen === 'ratio-least-connections-member'
    ? 'ratio-least-connections-member'
    : 'ratio-member';
}
