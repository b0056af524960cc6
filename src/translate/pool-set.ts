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

/** One AS3 pool of an application and what it was made from. */
export interface PoolEntry {
  name: string;
  route: Route;
  members: RatioMember[];
}

function poolKey(route: Route): string {
  return JSON.stringify([route.backend, route.monitors, route.pool ?? null, route.poolName ?? null, route.alternates ?? null, route.weight ?? null]);
}

function remarkFor(backend: BackendRef): string {
  return `${backend.namespace}/${backend.service}:${backend.servicePort}`.slice(0, 64);
}

function preferredName(route: Route): string {
  if (route.poolName) return as3Name(route.poolName);
  const { service, servicePort, namespace, nodeMemberLabel } = route.backend;
  return as3Name(`${service}_${servicePort}_${namespace}${nodeMemberLabel ? `_${nodeMemberLabel}` : ''}`);
}

/**
 * The pools of one application: one per distinct backend (with its monitors and settings), shared
 * by every route that uses the same one. Resolution problems become diagnostics on the routes.
 */
export class PoolSet {
  private readonly entries = new Map<string, PoolEntry>();
  readonly diagnostics: Diagnostic[] = [];

  constructor(private readonly app: As3Application, private readonly scope: NameScope, private readonly resolve: BackendResolver) {}

  /** The pool for a route, created on first use; `undefined` when the route cannot have one. */
  poolFor(route: Route): PoolEntry | undefined {
    const key = poolKey(route);
    const existing = this.entries.get(key);
    if (existing) return existing;
    const name = this.scope.claim(preferredName(route), key);
    const entry = route.alternates ? this.weighted(route, name) : { name, route, members: this.members(route, route.backend, route.field) };
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
   * share of the traffic (SPEC §4). When no ratios can do that within a percentage point, the route
   * is reported as an error and gets no pool (the weighted-iRule fallback of SPEC §4 is not built yet).
   * Weights that are all 0 never get here: normalization rejects them.
   */
  private weighted(route: Route, name: string): PoolEntry | undefined {
    const backends = [{ backend: route.backend, weight: route.weight ?? 100, field: route.field }, ...(route.alternates ?? [])];
    const plan = memberRatios(backends.map((b, i) => ({ key: String(i), weight: b.weight, members: this.members(route, b.backend, b.field) })));
    if (plan.kind === 'split') {
      this.diagnostics.push(diagnostic(route.source, 'error', `the weights cannot be expressed as pool member ratios: ${plan.reason}`, `${route.field}.alternateBackends`));
      return undefined;
    }
    const chosen = route.pool?.loadBalancingMode;
    if (chosen !== undefined && chosen !== ratioMode(chosen)) {
      this.diagnostics.push(diagnostic(route.source, 'warning', `${chosen} replaced by ${ratioMode(chosen)}: weights are member ratios, which only ratio modes honour`, `${route.field}.loadBalancingMethod`));
    }
    return { name, route, members: plan.members };
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
      const settings = entry.route.alternates
        ? { ...entry.route.pool, loadBalancingMode: ratioMode(entry.route.pool?.loadBalancingMode) }
        : entry.route.pool;
      this.app[entry.name] = translatePool(entry.members, {
        monitors: this.monitorRefs(entry, key), remark: remarkFor(entry.route.backend), ...(settings ? { settings } : {}),
      });
    }
  }

  get pools(): PoolEntry[] {
    return [...this.entries.values()];
  }
}

/** Member ratios only count in ratio modes: least-connections becomes its ratio variant. */
function ratioMode(chosen: string | undefined): string {
  return chosen === 'least-connections-member' || chosen === 'ratio-least-connections-member' ? 'ratio-least-connections-member' : 'ratio-member';
}
