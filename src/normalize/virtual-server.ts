import { describeRef } from '../kube/refs.js';
import type { ObjectRef } from '../kube/refs.js';
import type { VirtualServer } from '../kube/types.js';
import type { ServiceSettings } from '../model/settings.js';
import type { TlsModel } from '../model/tls.js';
import type { DefaultPool, RedirectRoute, Route, Snat, VirtualClaim } from '../model/virtual.js';
import type { NormalizeContext, NormalizeResult } from './context.js';
import { acceptsSetting } from '../model/service-classes.js';
import { FieldReader, absent } from './fields.js';
import type { Listener } from './fields.js';
import { namedPolicy, settingsFor } from './policy.js';
import type { PolicyModel } from './policy.js';
import { ipamAddress } from './ipam-request.js';
import { httpsRedirectLocation } from './redirect.js';
import { hostPersistence, sourceRanges, targetPath } from './route-options.js';
import { tlsForVirtualServer } from './tls-profile.js';
import { serviceAddress, virtualServerSettings } from './virtual-server-settings.js';
import { defaultPool, virtualServerRoutes } from './virtual-server-routes.js';
import { clusterNames } from './cluster-services.js';
import type { RouteDefaults } from './virtual-server-routes.js';

const GROUP = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

type Spec = NonNullable<VirtualServer['spec']>;
type HttpTraffic = 'allow' | 'redirect' | 'none';

/** `host` and `hostAliases`: the hosts every pool is routed for (none = any host). */
function hostsOf(r: FieldReader, spec: Spec): string[] | undefined {
  const aliases = spec['hostAliases'];
  const hasHost = !(spec.host === undefined || spec.host === null || spec.host === '');
  if (aliases !== undefined && aliases !== null && !hasHost)
    return r.error('spec.hostAliases', 'needs spec.host (aliases are extra names of that host)');
  if (!hasHost) return [];
  const host = r.virtualHost('spec.host', spec.host);
  if (aliases !== undefined && aliases !== null && !Array.isArray(aliases))
    return r.error('spec.hostAliases', 'must be a list of host names');
  if (host === undefined) return undefined;
  if (aliases === undefined || aliases === null) return [host];
  const extra = (aliases as unknown[]).map((a, i) => r.virtualHost(`spec.hostAliases[${i}]`, a));
  if (extra.includes(undefined)) return undefined;
  return [...new Set([host, ...(extra as string[])])];
}

function additionalAddresses(r: FieldReader, spec: Spec): string[] | undefined | false {
  const list = spec['additionalVirtualServerAddresses'];
  if (list === undefined || list === null) return undefined;
  if (!Array.isArray(list)) return r.error('spec.additionalVirtualServerAddresses', 'must be a list of addresses') ?? false;
  const out = list.map((a, i) => {
    const address = r.address(`spec.additionalVirtualServerAddresses[${i}]`, a);
    return address === undefined ? undefined : r.withRouteDomain(address, spec['bigipRouteDomain']);
  });
  return out.includes(undefined) ? false : (out as string[]);
}

function hostGroupOf(r: FieldReader, spec: Spec): { hostGroup?: string; groupName?: string } | false {
  const group = spec['hostGroup'];
  const name = spec['hostGroupVirtualServerName'];
  if (group === undefined || group === null || group === '') {
    if (name !== undefined && name !== null && name !== '')
      r.warn(
        'spec.hostGroupVirtualServerName',
        'ignored: it names the virtual of a hostGroup and spec.hostGroup is not set; set hostGroup, or use virtualServerName',
      );
    return {};
  }
  if (typeof group !== 'string' || !GROUP.test(group))
    return r.error('spec.hostGroup', `${JSON.stringify(group)} must be letters, digits, - _ . (at most 63 characters)`) ?? false;
  const groupName = r.virtualName('spec.hostGroupVirtualServerName', name);
  if (groupName === undefined && name !== undefined && name !== null && name !== '') return false;
  return { hostGroup: group, ...(groupName ? { groupName } : {}) };
}

/**
 * `httpTraffic` of a TLS VirtualServer. CIS documents `allow` as the default but its code treats an
 * absent value as `none`; kube-as3 follows the documented intent for edge termination. Re-encrypt
 * and passthrough pools expect TLS, so plain HTTP cannot be forwarded to them: `allow` is an error
 * there and the default is `none`. Without a TLS profile (also `tlsProfileName: ""`) only `none`
 * is accepted, with a warning: it changes nothing and CIS's own examples write it; `allow` and
 * `redirect` are refused, as CIS refuses them.
 */
function httpTrafficOf(r: FieldReader, value: unknown, tls: TlsModel | undefined, hasProfile: boolean): HttpTraffic | undefined {
  const absent = value === undefined || value === null || value === '';
  if (!hasProfile) {
    if (absent) return 'allow';
    if (value === 'none') {
      r.warn(
        'spec.httpTraffic',
        'ignored: none only applies to a VirtualServer with spec.tlsProfileName (this one serves plain HTTP); remove the field',
      );
      return 'allow';
    }
    return r.error(
      'spec.httpTraffic',
      `${JSON.stringify(value)} is only allowed on a VirtualServer with spec.tlsProfileName (plain HTTP is already served); remove the field or name a TLSProfile`,
    );
  }
  if (!absent && value !== 'allow' && value !== 'redirect' && value !== 'none') {
    return r.error('spec.httpTraffic', `${JSON.stringify(value)} must be allow, redirect or none`);
  }
  if (!tls) return undefined;
  if (tls.termination !== 'edge' && value === 'allow') {
    return r.error(
      'spec.httpTraffic',
      `allow cannot be used with ${tls.termination} termination: the pods expect TLS, so plain HTTP cannot be forwarded to them`,
    );
  }
  if (absent) return tls.termination === 'edge' ? 'allow' : 'none';
  return value as HttpTraffic;
}

/** `rewriteAppRoot`: a request for exactly `/` of each host is redirected to the application root. */
function appRootRedirects(r: FieldReader, spec: Spec, hosts: string[], ref: ObjectRef): RedirectRoute[] | undefined {
  const root = targetPath(r, 'spec.rewriteAppRoot', spec['rewriteAppRoot']);
  if (!root) return root === undefined ? [] : undefined;
  if (root === '/') return void r.error('spec.rewriteAppRoot', 'must be a path below / (redirecting / to itself loops)');
  const base: RedirectRoute = { path: '/', exact: true, location: root, code: 302, field: 'spec.rewriteAppRoot', source: ref };
  return hosts.length === 0 ? [base] : hosts.map((host) => ({ ...base, host }));
}

interface Parts {
  listener: Listener;
  httpsPort: number;
  hosts: string[];
  routes: Route[];
  redirects: RedirectRoute[];
  /** Per virtual, and the spec field each own setting came from (others came from the Policy). */
  settings: { http: ServiceSettings; https: ServiceSettings; fields: Partial<Record<keyof ServiceSettings, string>> };
  additional?: string[];
  group: { hostGroup?: string; groupName?: string };
  serviceAddress?: VirtualClaim['serviceAddress'];
  defaultPool?: DefaultPool;
  tls?: TlsModel;
  httpTraffic: HttpTraffic;
  /** The Policy's `snat`, used when the VirtualServer sets none (the resource's own value wins). */
  policySnat?: Snat;
}

function virtualSettings(r: FieldReader, spec: Spec, policy: PolicyModel | undefined): Parts['settings'] | undefined {
  const own = virtualServerSettings(r, spec);
  if (!own.ok) return undefined;
  const http = settingsFor(policy, own.settings, 'http');
  const https = settingsFor(policy, { ...own.settings, ...(own.http2 ? { profileHTTP2: own.http2 } : {}) }, 'https');
  if (http.ignored.length > 0 || https.ignored.length > 0) {
    for (const name of new Set([...http.ignored, ...https.ignored])) {
      r.warn(
        'spec.policyName',
        `ignored: ${name} of the Policy does not apply to a VirtualServer; nothing to change if the Policy serves TransportServers too, else remove it from the Policy`,
      );
    }
  }
  return { http: http.settings, https: https.settings, fields: own.fields };
}

type Where = Pick<Parts, 'listener' | 'httpsPort' | 'hosts' | 'group' | 'additional' | 'serviceAddress'>;

/** Where the virtuals listen and what they are called. */
function readWhere(r: FieldReader, spec: Spec, ctx: NormalizeContext): Where | undefined {
  const listener = r.listener(spec, 'spec.virtualServerHTTPPort', spec.virtualServerHTTPPort, 80, ctx.defaultPartition);
  const httpsPort = r.port('spec.virtualServerHTTPSPort', spec['virtualServerHTTPSPort'], 443);
  const hosts = hostsOf(r, spec);
  const additional = additionalAddresses(r, spec);
  const group = hostGroupOf(r, spec);
  const address = serviceAddress(r, spec['serviceAddress']);
  if (!listener || !httpsPort || !hosts || additional === false || group === false || address === false) return undefined;
  const where: Where = { listener, httpsPort, hosts, group };
  if (additional) where.additional = additional;
  if (address) where.serviceAddress = address;
  return where;
}

/** What every route shares: the Policy's pool settings, source ranges and persistence. */
function routeDefaults(
  r: FieldReader,
  spec: Spec,
  where: Pick<Where, 'hosts'>,
  ref: ObjectRef,
  context: { policy: PolicyModel | undefined; clusters: readonly string[] | undefined },
): RouteDefaults | undefined {
  const { policy, clusters } = context;
  const allowSourceRange = sourceRanges(r, 'spec.allowSourceRange', spec['allowSourceRange']) ?? policy?.allowSourceRange;
  const persist = hostPersistence(r, 'spec.hostPersistence', spec['hostPersistence']);
  if (allowSourceRange === false || persist === false) return undefined;
  const defaults: RouteDefaults = { hosts: where.hosts, source: ref, maxWeight: 256 };
  if (clusters) defaults.clusters = clusters;
  if (policy?.pool) defaults.policyPool = policy.pool;
  if (allowSourceRange) defaults.allowSourceRange = allowSourceRange;
  if (persist) defaults.persist = persist;
  return defaults;
}

/** The TLS of the TLSProfile `tlsProfileName`, in `tlsProfileNamespace` (CIS 2.20; else the VirtualServer's namespace). */
function tlsOf(r: FieldReader, ctx: NormalizeContext, spec: Spec, ref: ObjectRef, hosts: string[]): TlsModel | undefined {
  const profile = spec['tlsProfileName'] as string;
  const namespace = r.namespace('spec.tlsProfileNamespace', spec['tlsProfileNamespace'], ref.namespace);
  return namespace === undefined ? undefined : tlsForVirtualServer(r, ctx, namespace, profile, hosts, 'spec.tlsProfileName');
}

function readParts(r: FieldReader, vs: VirtualServer, spec: Spec, ref: ObjectRef, ctx: NormalizeContext): Parts | undefined {
  const allocated = ipamAddress(r, ctx, 'VirtualServer', vs);
  const where = allocated === false ? undefined : readWhere(r, allocated ? { ...spec, virtualServerAddress: allocated } : spec, ctx);
  const policy = namedPolicy(r, spec, ref, ctx);
  const settings = virtualSettings(r, spec, policy);
  // Read the route fields even when the listener is bad, so every problem is reported at once.
  const defaults = routeDefaults(r, spec, where ?? { hosts: [] }, ref, { policy, clusters: clusterNames(ctx.config) });
  if (!where || !defaults || !settings) return undefined;
  const routes = virtualServerRoutes(r, vs.spec?.pools, defaults);
  const fallback = fallbackPool(r, spec, policy, defaults);
  const redirects = appRootRedirects(r, spec, where.hosts, ref);
  const profile = spec['tlsProfileName'];
  const hasProfile = typeof profile === 'string' && profile !== '';
  const tls = hasProfile ? tlsOf(r, ctx, spec, ref, where.hosts) : undefined;
  const httpTraffic = httpTrafficOf(r, spec['httpTraffic'], tls, hasProfile);
  if (fallback === false || !redirects || !httpTraffic || (hasProfile && !tls)) return undefined;
  return assemble(where, { routes, redirects, settings, httpTraffic }, policy, fallback, tls);
}

/**
 * `spec.defaultPool`, else the Policy's. A problem in the Policy's is reported like the Policy's
 * other problems: at `spec.policyName`, naming the Policy and its field.
 */
function fallbackPool(
  r: FieldReader,
  spec: Spec,
  policy: PolicyModel | undefined,
  defaults: RouteDefaults,
): DefaultPool | undefined | false {
  const own = spec['defaultPool'];
  if (!absent(own) || !policy || absent(policy.defaultPool)) return defaultPool(r, 'spec.defaultPool', own, defaults);
  const inPolicy = new FieldReader(policy.source);
  const pool = defaultPool(inPolicy, 'spec.defaultPool', policy.defaultPool, defaults);
  for (const d of inPolicy.diagnostics) {
    const message = `${describeRef(policy.source)} ${d.field ?? 'spec'}: ${d.message}`;
    if (d.severity === 'error') r.error('spec.policyName', message);
    else r.warn('spec.policyName', message);
  }
  return pool;
}

function assemble(
  where: Where,
  routing: Pick<Parts, 'routes' | 'redirects' | 'settings' | 'httpTraffic'>,
  policy: PolicyModel | undefined,
  fallback: DefaultPool | undefined,
  tls: TlsModel | undefined,
): Parts {
  const parts: Parts = { listener: where.listener, httpsPort: where.httpsPort, hosts: where.hosts, group: where.group, ...routing };
  if (where.additional) parts.additional = where.additional;
  if (where.serviceAddress) parts.serviceAddress = where.serviceAddress;
  if (policy?.snat) parts.policySnat = policy.snat;
  if (fallback) parts.defaultPool = fallback;
  if (tls) parts.tls = tls;
  return parts;
}

/**
 * One claim of the VirtualServer. Properties are assigned in a fixed order (no conditional
 * spreads): normalizing 10,000 resources must not churn through object shapes.
 */
function makeClaim(vs: VirtualServer, ref: ObjectRef, p: Parts, type: 'http' | 'https', settings: ServiceSettings): VirtualClaim {
  const explicitSnat = !(vs.spec?.snat === undefined || vs.spec.snat === null || vs.spec.snat === '');
  const claim: VirtualClaim = {
    source: ref,
    object: vs,
    type,
    partition: p.listener.partition,
    address: p.listener.address,
    port: type === 'https' ? p.httpsPort : p.listener.port,
    snat: p.policySnat && !explicitSnat ? p.policySnat : p.listener.snat,
    settings,
    routes: p.routes,
  };
  const name = p.group.hostGroup ? p.group.groupName : p.listener.virtualName;
  if (name) claim.virtualName = name;
  if (p.group.hostGroup) claim.hostGroup = p.group.hostGroup;
  if (p.additional) claim.additionalAddresses = p.additional;
  if (p.serviceAddress) claim.serviceAddress = p.serviceAddress;
  if (p.redirects.length > 0) claim.redirects = p.redirects;
  if (p.defaultPool) claim.defaultPool = p.defaultPool;
  return claim;
}

/** The redirect rules of the HTTP side of a TLS VirtualServer with `httpTraffic: redirect`. */
function httpsRedirects(p: Parts): RedirectRoute[] {
  const location = httpsRedirectLocation(p.httpsPort);
  const keys = new Set<string>();
  const redirects: RedirectRoute[] = [];
  const routes = p.defaultPool && 'route' in p.defaultPool ? [...p.routes, p.defaultPool.route] : p.routes;
  for (const route of routes) {
    const key = `${route.host ?? ''} ${route.path}`;
    if (keys.has(key)) continue;
    keys.add(key);
    const redirect: RedirectRoute = { path: route.path, location, code: 301, field: 'spec.httpTraffic', source: route.source };
    if (route.host) redirect.host = route.host;
    if (route.allowSourceRange) redirect.allowSourceRange = route.allowSourceRange;
    redirects.push(redirect);
  }
  return redirects;
}

/** The plain-HTTP side of a TLS VirtualServer: forward (`allow`), redirect to HTTPS, or nothing. */
function httpSideOfTls(vs: VirtualServer, ref: ObjectRef, p: Parts): VirtualClaim | undefined {
  if (p.httpTraffic === 'none') return undefined;
  const http = makeClaim(vs, ref, p, 'http', p.settings.http);
  if (p.httpTraffic === 'allow') return http;
  http.routes = [];
  http.redirects = httpsRedirects(p);
  delete http.defaultPool;
  return http;
}

/**
 * TLS passthrough never decrypts, so only the SNI host is visible: a pool with a path below `/`
 * could never be chosen. It is left out with a warning instead of silently taking the host.
 */
function passthroughRoutes(r: FieldReader, routes: Route[]): Route[] {
  const warned = new Set<string>();
  return routes.filter((route) => {
    if (route.path === '/') return true;
    if (!warned.has(route.field))
      r.warn(
        `${route.field}.path`,
        `ignored: a TLS passthrough virtual cannot see paths (traffic stays encrypted), so only the pool with path / of each host receives traffic; remove the other paths, or terminate TLS (edge or reencrypt) to route by path`,
      );
    warned.add(route.field);
    return false;
  });
}

/** A passthrough virtual is an AS3 Service_TCP: HTTP-only settings (WAF, profiles) cannot apply. */
function passthroughSettings(r: FieldReader, settings: Parts['settings']): ServiceSettings {
  const kept: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(settings.https) as Array<[keyof ServiceSettings, unknown]>) {
    if (acceptsSetting('Service_TCP', name)) kept[name] = value;
    else
      r.warn(
        settings.fields[name] ?? 'spec.policyName',
        `ignored: ${name} needs HTTP, and a TLS passthrough virtual (AS3 Service_TCP) never sees HTTP; remove it, or terminate TLS (edge or reencrypt)`,
      );
  }
  return kept as ServiceSettings;
}

function claimsOf(vs: VirtualServer, ref: ObjectRef, p: Parts): VirtualClaim[] {
  if (!p.tls) return [makeClaim(vs, ref, p, 'http', p.settings.http)];
  const https = makeClaim(vs, ref, p, 'https', p.settings.https);
  https.tls = p.tls;
  const http = httpSideOfTls(vs, ref, p);
  return http ? [https, http] : [https];
}

/**
 * VirtualServer (cis.f5.com/v1) → the claims of its virtuals: HTTP on `virtualServerHTTPPort`, and
 * with a TLSProfile also HTTPS on `virtualServerHTTPSPort` (the HTTP side then follows httpTraffic).
 */
export function normalizeVirtualServer(vs: VirtualServer, ref: ObjectRef, ctx: NormalizeContext): NormalizeResult {
  const r = new FieldReader(ref);
  const spec = vs.spec;
  if (typeof spec !== 'object' || spec === null) {
    r.error('spec', 'is required');
    return { claims: [], diagnostics: r.diagnostics };
  }
  const parts = readParts(r, vs, spec, ref, ctx);
  if (r.hasErrors || !parts) return { claims: [], diagnostics: r.diagnostics };
  if (parts.tls?.termination === 'passthrough') {
    parts.routes = passthroughRoutes(r, parts.routes);
    parts.settings.https = passthroughSettings(r, parts.settings);
  }
  if (parts.routes.length === 0 && !parts.defaultPool)
    r.warn('spec.pools', 'no pools: the virtual accepts connections but has nowhere to send them');
  return { claims: claimsOf(vs, ref, parts), diagnostics: r.diagnostics };
}
