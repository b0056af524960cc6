import type { Diagnostic } from '../model/diagnostic.js';
import { diagnostic } from '../model/diagnostic.js';
import type { BackendRef, MonitorModel, Route } from '../model/virtual.js';
import type { Member } from '../resolve/member.js';
import type { ResolvedBackend } from '../resolve/resolve-backend.js';
import type { As3Application } from './as3-types.js';
import { translateMonitor } from './monitor.js';
import { as3Name } from './names.js';
import type { NameScope } from './names.js';
import type { RatioMember } from './pool.js';
import { translatePool } from './pool.js';
import { memberRatios } from './ratios.js';

export type BackendResolver = (backend: BackendRef) => ResolvedBackend;

/** One backend's own pool when weights are split over pools (SPEC §4 fallback). */
export interface SplitPool {
  name: string;
  backend: BackendRef;
  weight: number;
  members: Member[];
}

/** One AS3 pool of an application (or, for split weights, a set of pools) and what it was made from. */
export interface PoolEntry {
  /** The pool routes forward to: for split weights, the primary backend's own pool. */
  name: string;
  route: Route;
  /** Every member the entry sends traffic to (for split weights, of all its pools). */
  members: RatioMember[];
  /**
   * Set when the weights cannot be member ratios: one pool per backend with a weight above 0 (the
   * primary's first, named `name`), chosen by the generated iRule of weighted-irule.ts.
   */
  split?: SplitPool[];
}

function poolKey(route: Route): string {
  return JSON.stringify([route.backend, route.monitors, route.pool ?? null, route.poolName ?? null, route.alternates ?? null, route.weight ?? null]);
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

/**
 * The pools of one application: one per distinct backend (with its monitors and settings), shared
 * by every route that uses the same one. Resolution problems become diagnostics on the routes.
 */
export class PoolSet {
  private readonly entries = new Map<string, PoolEntry>();
  readonly diagnostics: Diagnostic[] = [];

  /**
   * `splitAllowed: false` for TLS passthrough virtuals: they route by the SNI in the ClientHello,
   * after CLIENT_ACCEPTED, so no iRule event can pick a pool per connection by weight there.
   */
  constructor(private readonly app: As3Application, private readonly scope: NameScope, private readonly resolve: BackendResolver, private readonly splitAllowed = true) {}

  /** The pool for a route, created on first use; `undefined` when the route cannot have one. */
  poolFor(route: Route): PoolEntry | undefined {
    const key = poolKey(route);
    const existing = this.entries.get(key);
    if (existing) return existing;
    const name = this.scope.claim(preferredName(route), key);
    const entry = route.alternates ? this.weighted(route, name, key) : { name, route, members: this.members(route, route.backend, route.field) };
    if (entry) this.entries.set(key, entry);
    return entry;
  }

  private members(route: Route, backend: BackendRef, field: string): Member[] {
    const resolved = this.resolve(backend);
    for (const p of resolved.problems) this.diagnostics.push(diagnostic(route.source, p.severity, p.message, `${field}.${p.field}`));
    return resolved.members;
  }

  /**
   * A route with `alternateBackends`: one pool whose member ratios give each Service its weight's
   * share of the traffic (SPEC §4). When no ratios can do that within a percentage point, each
   * backend gets its own pool instead (`split`) and the application adds the weighted iRule; the
   * warning says so, since the plan then holds an iRule. Weights that are all 0 never get here:
   * normalization rejects them.
   */
  private weighted(route: Route, name: string, key: string): PoolEntry | undefined {
    const backends = [{ backend: route.backend, weight: route.weight ?? 100, field: route.field }, ...(route.alternates ?? [])];
    const lists = backends.map((b) => this.members(route, b.backend, b.field));
    const plan = memberRatios(backends.map((b, i) => ({ key: backendKey(backends, i), weight: b.weight, members: lists[i] ?? [] })));
    if (plan.kind === 'split') return this.split(route, name, key, plan.reason, backends.map((b, i) => ({ ...b, members: lists[i] ?? [] })));
    const chosen = route.pool?.loadBalancingMode;
    if (chosen !== undefined && chosen !== ratioMode(chosen)) {
      this.diagnostics.push(diagnostic(route.source, 'warning', `${chosen} replaced by ${ratioMode(chosen)}: weights are member ratios, which only ratio modes honour`, `${route.field}.loadBalancingMethod`));
    }
    return { name, route, members: plan.members };
  }

  private split(route: Route, name: string, key: string, reason: string, backends: Array<{ backend: BackendRef; weight: number; members: Member[] }>): PoolEntry | undefined {
    if (!this.splitAllowed) {
      this.diagnostics.push(diagnostic(route.source, 'error',
        `the weights cannot be expressed as pool member ratios (${reason}), and a TLS passthrough virtual cannot pick a pool per connection by weight; change the weights or the pod counts`,
        `${route.field}.alternateBackends`));
      return undefined;
    }
    const pools: SplitPool[] = [];
    backends.forEach((b, i) => {
      // The primary's pool always exists: the route's policy rule forwards to it before the iRule picks.
      if (i > 0 && b.weight <= 0) return;
      pools.push({ name: i === 0 ? name : this.scope.claim(backendName(b.backend), `${key}#backend${i}`), backend: b.backend, weight: b.weight, members: b.members });
    });
    this.diagnostics.push(diagnostic(route.source, 'warning',
      `the weights cannot be expressed as pool member ratios (${reason}); each backend gets its own pool and a generated iRule picks one by weight`,
      `${route.field}.alternateBackends`));
    return { name, route, members: pools.flatMap((p) => p.members), split: pools };
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
      const monitors = this.monitorRefs(entry, key);
      if (entry.split) {
        for (const p of entry.split) {
          this.app[p.name] = translatePool(p.members, { monitors, remark: remarkFor(p.backend), ...(entry.route.pool ? { settings: entry.route.pool } : {}) });
        }
        continue;
      }
      const settings = entry.route.alternates
        ? { ...entry.route.pool, loadBalancingMode: ratioMode(entry.route.pool?.loadBalancingMode) }
        : entry.route.pool;
      this.app[entry.name] = translatePool(entry.members, { monitors, remark: remarkFor(entry.route.backend), ...(settings ? { settings } : {}) });
    }
  }

  get pools(): PoolEntry[] {
    return [...this.entries.values()];
  }
}

/** Names a backend in a `split` reason: `ns/service:port`, numbered when a route lists it twice. */
function backendKey(backends: Array<{ backend: BackendRef }>, i: number): string {
  const text = (b: BackendRef): string => `${b.namespace}/${b.service}:${b.servicePort}`;
  const own = text((backends[i] as { backend: BackendRef }).backend);
  return backends.filter((b) => text(b.backend) === own).length > 1 ? `${own} #${i + 1}` : own;
}

/** Member ratios only count in ratio modes: least-connections becomes its ratio variant. */
function ratioMode(chosen: string | undefined): string {
  return chosen === 'least-connections-member' || chosen === 'ratio-least-connections-member' ? 'ratio-least-connections-member' : 'ratio-member';
}
