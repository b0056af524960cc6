import { describeRef } from '../kube/refs.js';
import type { Diagnostic } from '../model/diagnostic.js';
import { diagnostic } from '../model/diagnostic.js';
import type { BackendRef, MonitorModel, Route, VirtualGroup } from '../model/virtual.js';
import type { ResolvedBackend } from '../resolve/resolve-backend.js';
import type { As3Application, As3Object } from './as3-types.js';
import { compareRoutes, translateEndpointPolicy } from './endpoint-policy.js';
import type { PolicyRoute } from './endpoint-policy.js';
import { translateMonitor } from './monitor.js';
import { NameScope, as3Name } from './names.js';
import { translatePool } from './pool.js';

/** One row of the plan summary: a route of a virtual and the pool it lands in (HTTP rows in match order). */
export interface RouteSummary {
  tenant: string;
  application: string;
  virtual: string;
  listener: string;
  type: VirtualGroup['type'];
  host: string;
  path: string;
  pool: string;
  members: number;
  source: string;
}

export interface ApplicationResult {
  application: As3Application;
  diagnostics: Diagnostic[];
  summary: RouteSummary[];
}

export type BackendResolver = (backend: BackendRef) => ResolvedBackend;

interface PoolEntry {
  name: string;
  backend: BackendRef;
  monitors: MonitorModel[];
  resolved: ResolvedBackend;
}

function poolKey(route: Route): string {
  return JSON.stringify([route.backend, route.monitors]);
}

function remarkFor(backend: BackendRef): string {
  return `${backend.namespace}/${backend.service}:${backend.servicePort}`.slice(0, 64);
}

function monitorRefs(scope: NameScope, app: As3Application, pool: PoolEntry, key: string): Array<{ use: string } | { bigip: string }> {
  return pool.monitors.map((monitor, i) => {
    if ('bigip' in monitor) return { bigip: monitor.bigip };
    const name = scope.claim(as3Name(`${pool.name}_${monitor.type}`), `${key}#monitor${i}`);
    app[name] = translateMonitor(monitor);
    return { use: name };
  });
}

function serviceObject(group: VirtualGroup): As3Object {
  const base = { virtualAddresses: [group.address], virtualPort: group.port, snat: group.snat };
  if (group.type === 'http') return { class: 'Service_HTTP', ...base };
  if (group.l4Mode === 'performance') return { class: 'Service_L4', layer4: group.type, ...base };
  return { class: group.type === 'udp' ? 'Service_UDP' : 'Service_TCP', ...base };
}

/**
 * Translates one virtual group into its AS3 application: the virtual (Service_*), one Pool per
 * distinct backend and monitor set, Monitors, and an Endpoint_Policy when routing by host or path
 * is needed. Member resolution is injected so this stays pure and testable.
 */
export function translateApplication(group: VirtualGroup, resolve: BackendResolver): ApplicationResult {
  const app: As3Application = { class: 'Application', template: 'generic' };
  const scope = new NameScope();
  scope.claim(group.virtualName, '#virtual');
  const diagnostics: Diagnostic[] = [];
  const pools = new Map<string, PoolEntry>();
  const routed: Array<{ route: Route; pool: PoolEntry }> = [];

  for (const claim of group.claims) {
    for (const route of claim.routes) {
      const key = poolKey(route);
      let pool = pools.get(key);
      if (!pool) {
        const { service, servicePort, namespace, nodeMemberLabel } = route.backend;
        const name = scope.claim(as3Name(`${service}_${servicePort}_${namespace}${nodeMemberLabel ? `_${nodeMemberLabel}` : ''}`), key);
        pool = { name, backend: route.backend, monitors: route.monitors, resolved: resolve(route.backend) };
        pools.set(key, pool);
      }
      for (const p of pool.resolved.problems) {
        diagnostics.push(diagnostic(route.source, p.severity, p.message, `${route.field}.${p.field}`));
      }
      routed.push({ route, pool });
    }
  }
  for (const [key, pool] of pools) {
    app[pool.name] = translatePool(pool.resolved.members, monitorRefs(scope, app, pool, key), remarkFor(pool.backend));
  }

  const service = serviceObject(group);
  const only = routed[0];
  if (routed.length === 1 && only && only.route.host === undefined && only.route.path === '/') {
    service['pool'] = only.pool.name;
  } else if (routed.length > 0) {
    const policyName = scope.claim(as3Name(`${group.virtualName}_policy`), '#policy');
    const policyRoutes: PolicyRoute[] = routed.map(({ route, pool }) => ({ ...(route.host ? { host: route.host } : {}), path: route.path, pool: pool.name }));
    app[policyName] = translateEndpointPolicy(policyRoutes, group.port);
    service['policyEndpoint'] = policyName;
  }
  app[group.virtualName] = service;

  const inMatchOrder = [...routed].sort((a, b) => compareRoutes({ ...a.route, pool: '' }, { ...b.route, pool: '' }));
  const l4 = group.type !== 'http';
  const summary: RouteSummary[] = inMatchOrder.map(({ route, pool }) => ({
    tenant: group.partition,
    application: group.application,
    virtual: group.virtualName,
    listener: `${group.address.includes(':') ? `[${group.address}]` : group.address}:${group.port}`,
    type: group.type,
    host: l4 ? '-' : route.host ?? '*',
    path: l4 ? '-' : route.path,
    pool: pool.name,
    members: pool.resolved.members.length,
    source: describeRef(route.source),
  }));
  return { application: app, diagnostics, summary };
}
