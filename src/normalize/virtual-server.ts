import type { ObjectRef } from '../kube/refs.js';
import type { VirtualServer } from '../kube/types.js';
import type { Route } from '../model/virtual.js';
import type { NormalizeContext, NormalizeResult } from './context.js';
import { FieldReader } from './fields.js';
import { normalizeBackend, normalizeMonitors, normalizePath } from './pool.js';


const HOST = /^(\*\.)?[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/;

/**
 * VirtualServer fields that CIS supports and kube-as3 does not translate yet. They are reported,
 * never silently dropped, so a user migrating from CIS sees what their manifest would lose.
 */
const NOT_YET_SUPPORTED = [
  'hostAliases', 'hostGroup', 'hostGroupVirtualServerName', 'additionalVirtualServerAddresses',
  'virtualServerHTTPSPort', 'defaultPool', 'tlsProfileName', 'httpTraffic', 'rewriteAppRoot', 'waf', 'iRules',
  'allowVlans', 'allowSourceRange', 'persistenceProfile', 'hostPersistence', 'profiles', 'profileMultiplex',
  'httpCompressionProfile', 'dos', 'botDefense', 'htmlProfile', 'profileAccess', 'serviceAddress',
  'connectionMirroring', 'policyName', 'httpMrfRoutingEnabled', 'profileAdapt',
];

function normalizeHost(r: FieldReader, value: unknown): string | undefined | false {
  if (value === undefined || value === null || value === '') return undefined;
  const host = typeof value === 'string' ? value.toLowerCase() : '';
  if (!HOST.test(host) || host.length > 253) {
    r.error('spec.host', `${JSON.stringify(value)} is not a valid host name (a leading *. wildcard is allowed)`);
    return false;
  }
  return host;
}

function normalizeRoutes(r: FieldReader, vs: VirtualServer, host: string | undefined, ref: ObjectRef): Route[] {
  const pools = vs.spec?.pools;
  if (pools === undefined || pools === null) return [];
  if (!Array.isArray(pools)) {
    r.error('spec.pools', 'must be a list');
    return [];
  }
  const routes: Route[] = [];
  const seenPaths = new Map<string, number>();
  pools.forEach((pool, i) => {
    const field = `spec.pools[${i}]`;
    if (typeof pool !== 'object' || pool === null) return void r.error(field, 'must be an object');
    const path = normalizePath(r, `${field}.path`, pool.path);
    const backend = normalizeBackend(r, field, pool, ref.namespace);
    const monitors = normalizeMonitors(r, field, pool, 'http');
    if (path === undefined || backend === undefined) return;
    const earlier = seenPaths.get(path);
    if (earlier !== undefined) {
      return void r.error(`${field}.path`, `path ${path} is already routed by spec.pools[${earlier}]`);
    }
    seenPaths.set(path, i);
    const route: Route = { path, backend, monitors, field, source: ref };
    if (host !== undefined) route.host = host;
    routes.push(route);
  });
  return routes;
}

/** VirtualServer (cis.f5.com/v1) → the claim of its HTTP virtual. */
export function normalizeVirtualServer(vs: VirtualServer, ref: ObjectRef, ctx: NormalizeContext): NormalizeResult {
  const r = new FieldReader(ref);
  const spec = vs.spec;
  if (typeof spec !== 'object' || spec === null) {
    r.error('spec', 'is required');
    return { claims: [], diagnostics: r.diagnostics };
  }
  r.unsupported(spec, NOT_YET_SUPPORTED);
  const listener = r.listener(spec, 'spec.virtualServerHTTPPort', spec.virtualServerHTTPPort, 80, ctx.defaultPartition);
  const host = normalizeHost(r, spec.host);
  const routes = host === false ? [] : normalizeRoutes(r, vs, host, ref);
  if (r.hasErrors || !listener) return { claims: [], diagnostics: r.diagnostics };
  if (routes.length === 0) r.warn('spec.pools', 'no pools: the virtual accepts connections but has nowhere to send them');
  return { claims: [{ source: ref, object: vs, type: 'http', ...listener, settings: {}, routes }], diagnostics: r.diagnostics };
}
