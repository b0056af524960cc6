import type { ObjectRef } from '../kube/refs.js';
import type { VirtualServerPoolSpec } from '../kube/types.js';
import type { PoolSettings } from '../model/settings.js';
import type { DefaultPool, PersistAction, Route, WeightedBackend } from '../model/virtual.js';
import type { FieldReader } from './fields.js';
import { normalizeBackend, normalizeMonitors, normalizePath } from './pool.js';
import { hostName, poolSettings, targetPath } from './route-options.js';
import type { PoolSettingsSpec } from './route-options.js';
import { bigipPath } from './settings.js';

/** What every route of one VirtualServer shares. */
export interface RouteDefaults {
  hosts: string[];
  source: ObjectRef;
  /** Pool settings from the resource's Policy (`poolSettings`); the pool's own values win. */
  policyPool?: PoolSettings;
  allowSourceRange?: string[];
  persist?: PersistAction;
  /** Largest accepted `weight` (256 for VirtualServers, 100 for TransportServers, as in CIS). */
  maxWeight: number;
}

const POOL_NAME = /^[A-Za-z][0-9A-Za-z_.-]{0,63}$/;

function weightOf(r: FieldReader, field: string, value: unknown, max: number): number | undefined | false {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= max) return value;
  r.error(field, `${JSON.stringify(value)} must be a whole number from 0 to ${max}`);
  return false;
}

/** `alternateBackends[]`: more Services sharing the route's traffic by weight. */
function alternates(r: FieldReader, field: string, pool: VirtualServerPoolSpec, namespace: string, max: number): WeightedBackend[] | undefined | false {
  const list = pool['alternateBackends'];
  if (list === undefined || list === null) return undefined;
  if (!Array.isArray(list)) {
    r.error(`${field}.alternateBackends`, 'must be a list of {service, serviceNamespace, weight}');
    return false;
  }
  const out: WeightedBackend[] = [];
  list.forEach((alt: VirtualServerPoolSpec | null, i) => {
    const where = `${field}.alternateBackends[${i}]`;
    if (typeof alt !== 'object' || alt === null) return void r.error(where, 'must be an object');
    // An alternate backend uses the primary's Service port unless it names its own.
    const backend = normalizeBackend(r, where, { ...alt, servicePort: alt.servicePort ?? pool.servicePort }, namespace);
    const weight = weightOf(r, `${where}.weight`, alt['weight'], max);
    if (backend && weight !== false) out.push({ backend, weight: weight ?? 100, field: where });
  });
  return out.length === list.length ? out : false;
}

function mergedPoolSettings(own: PoolSettings | undefined, policy: PoolSettings | undefined): PoolSettings | undefined {
  if (!policy) return own;
  return { ...policy, ...own };
}

function poolName(r: FieldReader, field: string, name: unknown): string | undefined | false {
  if (name === undefined || name === null || name === '') return undefined;
  if (typeof name === 'string' && POOL_NAME.test(name)) return name;
  r.error(`${field}.name`, `${JSON.stringify(name)} must start with a letter and contain only letters, digits, _ . - (at most 64 characters)`);
  return false;
}

interface Extras {
  settings?: PoolSettings;
  rewrite?: string;
  hostRewrite?: string;
  waf?: Route['waf'];
  weight?: number;
  alts?: WeightedBackend[];
  name?: string;
}

function readExtras(r: FieldReader, field: string, pool: VirtualServerPoolSpec, defaults: RouteDefaults, namespace: string): Extras | false {
  const values = {
    settings: poolSettings(r, field, pool as PoolSettingsSpec),
    rewrite: targetPath(r, `${field}.rewrite`, pool['rewrite']),
    hostRewrite: hostName(r, `${field}.hostRewrite`, pool['hostRewrite']),
    waf: bigipPath(r, `${field}.waf`, pool['waf']),
    weight: weightOf(r, `${field}.weight`, pool['weight'], defaults.maxWeight),
    alts: alternates(r, field, pool, namespace, defaults.maxWeight),
    name: poolName(r, field, pool.name),
  };
  if (pool['multiClusterServices'] !== undefined) {
    r.warn(`${field}.multiClusterServices`, 'is not supported by this version of kube-as3 (multi-cluster support comes later) and was ignored');
  }
  if (Object.values(values).includes(false)) return false;
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Extras;
}

/** Everything a pool entry adds to its Service reference. */
function routeExtras(r: FieldReader, field: string, pool: VirtualServerPoolSpec, defaults: RouteDefaults, namespace: string): Partial<Route> | false {
  const x = readExtras(r, field, pool, defaults, namespace);
  if (x === false) return false;
  const merged = mergedPoolSettings(x.settings, defaults.policyPool);
  const weighted = x.alts !== undefined && x.alts.length > 0;
  return {
    ...(merged ? { pool: merged } : {}),
    // CIS ignores a custom pool name on a weighted pool; so does kube-as3 (the name would mislead).
    ...(x.name && !weighted ? { poolName: x.name } : {}),
    ...(x.rewrite ? { rewrite: x.rewrite } : {}),
    ...(x.hostRewrite ? { hostRewrite: x.hostRewrite } : {}),
    ...(x.waf ? { waf: x.waf } : {}),
    ...(weighted ? { alternates: x.alts, weight: x.weight ?? 100 } : {}),
    ...(defaults.allowSourceRange ? { allowSourceRange: defaults.allowSourceRange } : {}),
    ...(defaults.persist ? { persist: defaults.persist } : {}),
  };
}

/** One pool entry → its Route (without host), or undefined when rejected. */
export function poolRoute(r: FieldReader, field: string, pool: VirtualServerPoolSpec, defaults: RouteDefaults, monitorType: 'http' | 'tcp' | 'udp'): Route | undefined {
  const namespace = defaults.source.namespace;
  const path = normalizePath(r, `${field}.path`, pool.path);
  const backend = normalizeBackend(r, field, pool, namespace);
  const monitors = normalizeMonitors(r, field, pool, monitorType);
  const extras = routeExtras(r, field, pool, defaults, namespace);
  if (path === undefined || backend === undefined || extras === false) return undefined;
  const minimum = extras.pool?.minimumMonitors;
  if (minimum !== undefined && minimum > monitors.length) {
    return r.error(`${field}.minimumMonitors`, `${minimum} is more than the ${monitors.length} monitor(s) of the pool: its members could never be up`);
  }
  return { path, backend, monitors, ...extras, field, source: defaults.source };
}

/** `spec.pools[]` → one route per pool and host (`host` plus `hostAliases`). */
export function virtualServerRoutes(r: FieldReader, pools: unknown, defaults: RouteDefaults): Route[] {
  if (pools === undefined || pools === null) return [];
  if (!Array.isArray(pools)) {
    r.error('spec.pools', 'must be a list');
    return [];
  }
  const routes: Route[] = [];
  const seenPaths = new Map<string, number>();
  pools.forEach((pool: VirtualServerPoolSpec | null, i) => {
    const field = `spec.pools[${i}]`;
    if (typeof pool !== 'object' || pool === null) return void r.error(field, 'must be an object');
    const route = poolRoute(r, field, pool, defaults, 'http');
    if (!route) return;
    const earlier = seenPaths.get(route.path);
    if (earlier !== undefined) return void r.error(`${field}.path`, `path ${route.path} is already routed by spec.pools[${earlier}]`);
    seenPaths.set(route.path, i);
    if (defaults.hosts.length === 0) routes.push(route);
    for (const host of defaults.hosts) routes.push({ ...route, host });
  });
  return routes;
}

/** `defaultPool`: where requests go that match no route (a Service, or an existing BIG-IP pool). */
export function defaultPool(r: FieldReader, field: string, value: unknown, defaults: RouteDefaults): DefaultPool | undefined | false {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) {
    r.error(field, 'must be an object with reference: service or reference: bigip');
    return false;
  }
  const spec = value as VirtualServerPoolSpec & { reference?: unknown };
  if (spec.reference === 'bigip') {
    const ref = bigipPath(r, `${field}.name`, spec.name);
    if (!ref) return ref === undefined ? r.error(`${field}.name`, 'is required with reference: bigip (the path of an existing BIG-IP pool)') ?? false : false;
    return { bigip: ref.bigip, field, source: defaults.source };
  }
  if (spec.reference !== 'service') {
    r.error(`${field}.reference`, `${JSON.stringify(spec.reference)} must be service or bigip`);
    return false;
  }
  const route = poolRoute(r, field, { ...spec, path: '/' }, { ...defaults, allowSourceRange: undefined, persist: undefined }, 'http');
  return route ? { route } : false;
}
