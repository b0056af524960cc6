import type { ObjectRef } from '../kube/refs.js';
import type { VirtualServerPoolSpec } from '../kube/types.js';
import type { PoolSettings } from '../model/settings.js';
import type { BackendRef, ClusterServiceBackend, DefaultPool, PersistAction, Route, WeightedBackend } from '../model/virtual.js';
import { absent } from './fields.js';
import type { FieldReader } from './fields.js';
import { normalizeBackend, normalizeMonitors, normalizePath } from './pool.js';
import type { DefaultMonitorType } from './pool.js';
import { hostName, poolSettings, targetPath, wholeNumber } from './route-options.js';
import type { PoolSettingsSpec } from './route-options.js';
import { bigipPath } from './settings.js';
import { clusterServices } from './cluster-services.js';

/** What every route of one resource (a VirtualServer, or the pool of a TransportServer) shares. */
export interface RouteDefaults {
  hosts: string[];
  source: ObjectRef;
  /** Pool settings from the resource's Policy (`poolSettings`); the pool's own values win. */
  policyPool?: PoolSettings;
  allowSourceRange?: string[];
  persist?: PersistAction;
  /** Largest accepted `weight` (256 for VirtualServers, 100 for TransportServers, as in CIS). */
  maxWeight: number;
  /** Names of the configured cluster set (for `multiClusterServices`); undefined without one. */
  clusters?: readonly string[];
}

const POOL_NAME = /^[A-Za-z][0-9A-Za-z_.-]{0,63}$/;

/** `alternateBackends[]`: more Services sharing the route's traffic by weight. */
function alternates(
  r: FieldReader,
  field: string,
  pool: VirtualServerPoolSpec,
  namespace: string,
  max: number,
): WeightedBackend[] | undefined | false {
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
    const weight = wholeNumber(r, `${where}.weight`, alt['weight'], 0, max);
    if (backend && weight !== false) out.push({ backend, weight: weight ?? 100, field: where });
  });
  return out.length === list.length ? out : false;
}

/**
 * `weight` and `alternateBackends` of a pool entry (VirtualServer pools, the TransportServer pool):
 * the primary's weight (absent = 100, as in CIS) and the alternates. Weights that are all 0 could
 * serve nothing, so they are an error on `weight`.
 */
function weights(
  r: FieldReader,
  field: string,
  pool: VirtualServerPoolSpec,
  namespace: string,
  max: number,
): Pick<Extras, 'weight' | 'alts'> | false {
  const weight = wholeNumber(r, `${field}.weight`, pool['weight'], 0, max);
  const alts = alternates(r, field, pool, namespace, max);
  if (weight === false || alts === false) return false;
  if (alts && alts.length > 0 && weight === 0 && alts.every((a) => a.weight === 0)) {
    r.error(
      `${field}.weight`,
      'every backend has weight 0, so no request or connection could be served; give at least one backend a weight above 0',
    );
    return false;
  }
  return { ...(weight === undefined ? {} : { weight }), ...(alts ? { alts } : {}) };
}

function mergedPoolSettings(own: PoolSettings | undefined, policy: PoolSettings | undefined): PoolSettings | undefined {
  if (!policy) return own;
  return { ...policy, ...own };
}

function poolName(r: FieldReader, field: string, name: unknown): string | undefined | false {
  if (name === undefined || name === null || name === '') return undefined;
  if (typeof name === 'string' && POOL_NAME.test(name)) return name;
  r.error(
    `${field}.name`,
    `${JSON.stringify(name)} must start with a letter and contain only letters, digits, _ . - (at most 64 characters)`,
  );
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

/** The pool settings of a pool entry, by the fields the CRDs give pool entries. */
function entrySettings(pool: VirtualServerPoolSpec): PoolSettingsSpec {
  return {
    loadBalancingMethod: pool['loadBalancingMethod'],
    reselectTries: pool['reselectTries'],
    serviceDownAction: pool['serviceDownAction'],
    minimumMonitors: pool['minimumMonitors'],
  };
}

function readExtras(
  r: FieldReader,
  field: string,
  pool: VirtualServerPoolSpec,
  defaults: RouteDefaults,
  namespace: string,
): Extras | false {
  const settings = poolSettings(r, field, entrySettings(pool));
  const rewrite = targetPath(r, `${field}.rewrite`, pool['rewrite']);
  const hostRewrite = hostName(r, `${field}.hostRewrite`, pool['hostRewrite']);
  const waf = bigipPath(r, `${field}.waf`, pool['waf']);
  const weighted = weights(r, field, pool, namespace, defaults.maxWeight);
  const name = poolName(r, field, pool.name);
  if (settings === false || rewrite === false || hostRewrite === false || waf === false || weighted === false || name === false)
    return false;
  const x: Extras = { ...weighted };
  if (settings) x.settings = settings;
  if (rewrite) x.rewrite = rewrite;
  if (hostRewrite) x.hostRewrite = hostRewrite;
  if (waf) x.waf = waf;
  if (name) x.name = name;
  return x;
}

/** Everything a pool entry adds to its Service reference, set on the route. */
function addExtras(r: FieldReader, route: Route, x: Extras, defaults: RouteDefaults): void {
  const merged = mergedPoolSettings(x.settings, defaults.policyPool);
  const weighted = x.alts !== undefined && x.alts.length > 0;
  if (x.name && weighted)
    r.warn(
      `${route.field}.name`,
      'ignored: with alternateBackends the pool holds every backend and is named after the primary Service; remove name',
    );
  if (x.weight !== undefined && !weighted)
    r.warn(`${route.field}.weight`, 'ignored: a weight only matters together with alternateBackends; remove it, or add alternateBackends');
  if (merged) route.pool = merged;
  // CIS ignores a custom pool name on a weighted pool; so does kube-as3 (the name would mislead).
  if (x.name && !weighted) route.poolName = x.name;
  if (x.rewrite) route.rewrite = x.rewrite;
  if (x.hostRewrite) route.hostRewrite = x.hostRewrite;
  if (x.waf) route.waf = x.waf;
  if (weighted) {
    route.alternates = x.alts;
    route.weight = x.weight ?? 100;
  }
  if (defaults.allowSourceRange) route.allowSourceRange = defaults.allowSourceRange;
  if (defaults.persist) route.persist = defaults.persist;
}

/**
 * With `multiClusterServices` the pool is made of its entries (as in CIS). The pool's own Service
 * (which the CRD requires) only names the pool; its weights would mislead, so they are reported.
 */
function ignoredBesideClusterServices(r: FieldReader, field: string, pool: VirtualServerPoolSpec): void {
  const why =
    'ignored: the pool is made of its multiClusterServices entries, each with its weight; give the weights there, and remove this field';
  if (pool['alternateBackends'] !== undefined) r.warn(`${field}.alternateBackends`, why);
  if (pool['weight'] !== undefined) r.warn(`${field}.weight`, why);
}

/**
 * The Service that names the pool: its own `service`, else (with multiClusterServices) the first
 * entry's. Without a cluster set the entries cannot be resolved, so a pool of only entries is refused.
 */
function poolBackend(
  r: FieldReader,
  field: string,
  pool: VirtualServerPoolSpec,
  explicit: ClusterServiceBackend[] | undefined,
  defaults: RouteDefaults,
): BackendRef | undefined {
  if (!absent(pool.service)) return normalizeBackend(r, field, pool, defaults.source.namespace);
  if (explicit) return explicit[0]?.backend;
  if (!absent(pool['multiClusterServices']) && !defaults.clusters) {
    return r.error(
      `${field}.service`,
      "is required when no cluster set is configured: the pool's multiClusterServices need multiCluster in the config file (with the clusters they name); configure the cluster set, or name the Service of this cluster here",
    );
  }
  return normalizeBackend(r, field, pool, defaults.source.namespace);
}

/**
 * One pool entry → its Route (without host), or undefined when rejected. VirtualServer pools and
 * the TransportServer pool share it (the TransportServer passes its pool without the HTTP fields).
 */
export function poolRoute(
  r: FieldReader,
  field: string,
  pool: VirtualServerPoolSpec,
  defaults: RouteDefaults,
  monitorType: DefaultMonitorType,
): Route | undefined {
  const namespace = defaults.source.namespace;
  const path = normalizePath(r, `${field}.path`, pool.path);
  const explicit = clusterServices(r, `${field}.multiClusterServices`, pool['multiClusterServices'], {
    namespace,
    clusters: defaults.clusters,
    maxWeight: defaults.maxWeight,
    ...(pool.servicePort === undefined ? {} : { servicePort: pool.servicePort }),
  });
  if (explicit) ignoredBesideClusterServices(r, field, pool);
  const backend = explicit === false ? undefined : poolBackend(r, field, pool, explicit, defaults);
  const monitors = normalizeMonitors(r, field, pool, monitorType);
  const extras = readExtras(r, field, explicit ? { ...pool, weight: undefined, alternateBackends: undefined } : pool, defaults, namespace);
  if (path === undefined || backend === undefined || extras === false || explicit === false) return undefined;
  const route: Route = { path, backend, monitors, field, source: defaults.source };
  addExtras(r, route, extras, defaults);
  if (explicit) route.clusterServices = explicit;
  const minimum = route.pool?.minimumMonitors;
  if (minimum !== undefined && minimum > monitors.length) {
    return r.error(
      `${field}.minimumMonitors`,
      `${minimum} is more than the ${monitors.length} monitor(s) of the pool: its members could never be up`,
    );
  }
  return route;
}

/** The route for one host; the host is set first so all routes share one object shape. */
function withHost(route: Route, host: string): Route {
  return Object.assign({ host }, route);
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
    for (const host of defaults.hosts) routes.push(withHost(route, host));
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
    if (!ref)
      return ref === undefined
        ? (r.error(`${field}.name`, 'is required with reference: bigip (the path of an existing BIG-IP pool)') ?? false)
        : false;
    return { bigip: ref.bigip, field, source: defaults.source };
  }
  if (spec.reference !== 'service') {
    r.error(`${field}.reference`, `${JSON.stringify(spec.reference)} must be service or bigip`);
    return false;
  }
  const route = poolRoute(r, field, { ...spec, path: '/' }, { ...defaults, allowSourceRange: undefined, persist: undefined }, 'http');
  return route ? { route } : false;
}
