import type { ObjectRef } from '../kube/refs.js';
import type { Ingress, IngressBackend } from '../kube/types.js';
import type { ServiceSettings } from '../model/settings.js';
import type { TlsModel } from '../model/tls.js';
import type { BackendRef, DefaultPool, RedirectRoute, Route, VirtualClaim } from '../model/virtual.js';
import type { NormalizeContext, NormalizeResult } from './context.js';
import { FieldReader, absent, annotationField, objectOrEmpty } from './fields.js';
import { ANNOTATIONS, describeHostPath, readIngressAnnotations } from './ingress-annotations.js';
import { ipamAddress } from './ipam-request.js';
import type { HostPath, IngressAnnotations, IngressListener } from './ingress-annotations.js';
import { ingressClassDecision } from './ingress-class.js';
import { normalizePath } from './pool.js';
import { httpsRedirectLocation } from './redirect.js';
import { tlsFromIngressSecrets } from './tls-profile.js';

/**
 * Ingress (networking.k8s.io/v1) → claims, with the CIS annotations (cis-features §1.12). An
 * Ingress serves its rules on `ip:http-port`; with TLS (`spec.tls` Secrets or the clientssl
 * annotation) on `ip:https-port`, while the HTTP port redirects to HTTPS (ssl-redirect, the
 * default), forwards too (allow-http), or is not served.
 */

type IngressSpec = NonNullable<Ingress['spec']>;
type IngressRule = NonNullable<IngressSpec['rules']>[number];
type IngressPath = NonNullable<NonNullable<IngressRule['http']>['paths']>[number];

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const PORT_NAME = /^[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?$/;

function describe(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

// ---- rules -----------------------------------------------------------------------------------

/** Lower-cased rule host; `*.example.com` wildcards are Kubernetes's own. Undefined = any host. */
function ruleHost(r: FieldReader, field: string, value: unknown): string | undefined | false {
  if (absent(value)) return undefined;
  return r.virtualHost(field, value) ?? false;
}

function servicePort(r: FieldReader, field: string, port: unknown): number | string | undefined {
  const { number, name } = objectOrEmpty(port);
  const hasNumber = number !== undefined && number !== null;
  const hasName = !absent(name);
  if (hasNumber && hasName) return r.error(field, 'set number or name, not both');
  if (hasNumber) return r.port(`${field}.number`, number);
  if (typeof name === 'string' && PORT_NAME.test(name)) return name;
  return hasName
    ? r.error(`${field}.name`, `${describe(name)} is not a Service port name`)
    : r.error(field, 'is required: set number or name');
}

/** The Service a path (or the default backend) sends traffic to, in the Ingress's namespace. */
function ingressBackend(r: FieldReader, field: string, backend: IngressBackend | undefined, namespace: string): BackendRef | undefined {
  const spec = objectOrEmpty(backend);
  if (spec !== backend) return r.error(field, 'is required');
  if (!absent(spec['resource'])) {
    return r.error(`${field}.resource`, 'is not supported: kube-as3 routes Ingress traffic to Services only; use service instead');
  }
  const svc = objectOrEmpty(spec['service']);
  if (svc !== spec['service']) return r.error(`${field}.service`, 'is required');
  if (typeof svc.name !== 'string' || !DNS_LABEL.test(svc.name)) {
    return r.error(`${field}.service.name`, `${describe(svc.name)} is not a valid Service name`);
  }
  const port = servicePort(r, `${field}.service.port`, svc.port);
  return port === undefined ? undefined : { namespace, service: svc.name, servicePort: port };
}

/** `Exact` matches the whole path; `Prefix` by segment. Undefined after an error. */
function isExact(r: FieldReader, field: string, value: unknown): boolean | undefined {
  if (value === 'Exact') return true;
  // ImplementationSpecific is treated as Prefix (segment-wise), the closest Kubernetes meaning and
  // how CIS matched every Ingress path. A missing pathType (invalid in v1, seen in offline
  // manifests) is read the same way.
  if (value === 'Prefix' || value === 'ImplementationSpecific' || value === undefined || value === null) return false;
  return r.error(field, `${describe(value)} must be Exact, Prefix or ImplementationSpecific`);
}

function pathRoute(r: FieldReader, field: string, spec: IngressPath, host: string | undefined, ref: ObjectRef): Route | undefined {
  if (objectOrEmpty(spec) !== spec) return r.error(field, 'must be an object');
  const exact = isExact(r, `${field}.pathType`, spec.pathType);
  const normalized = normalizePath(r, `${field}.path`, spec.path);
  // An Exact path matches only as written (`/docs/` is not `/docs`); Prefix paths match by segment.
  const path = exact && normalized !== undefined && typeof spec.path === 'string' && spec.path !== '' ? spec.path : normalized;
  const backend = ingressBackend(r, `${field}.backend`, spec.backend, ref.namespace);
  if (exact === undefined || path === undefined || backend === undefined) return undefined;
  return {
    ...(host === undefined ? {} : { host }),
    path,
    ...(exact ? { exact } : {}),
    caseSensitive: true,
    backend,
    monitors: [],
    field,
    source: ref,
  };
}

/** What makes two routes the same match: host, path and match type. */
function routeKey(route: { host?: string; path: string; exact?: boolean }): string {
  return `${route.host ?? ''} ${route.path} ${route.exact ? 'exact' : 'prefix'}`;
}

function describeRoute(route: { host?: string; path: string; exact?: boolean }): string {
  return `${route.exact ? 'exact path ' : ''}${describeHostPath(route)}`;
}

/** Collects routes, rejecting a host+path (and match type) that an earlier path already routes. */
class RouteSet {
  readonly routes: Route[] = [];
  private readonly seen = new Map<string, string>();

  constructor(private readonly r: FieldReader) {}

  add(route: Route): void {
    const key = routeKey(route);
    const earlier = this.seen.get(key);
    if (earlier !== undefined) {
      this.r.error(`${route.field}.path`, `${describeRoute(route)} is already routed by ${earlier}; remove one of them`);
      return;
    }
    this.seen.set(key, route.field);
    this.routes.push(route);
  }
}

function addRuleRoutes(r: FieldReader, set: RouteSet, rule: IngressRule, field: string, ref: ObjectRef): void {
  if (objectOrEmpty(rule) !== rule) return void r.error(field, 'must be an object');
  const host = ruleHost(r, `${field}.host`, rule.host);
  // A rule with a host and no http section routes nothing (Kubernetes allows it): ignored.
  if (host === false || rule.http === undefined || rule.http === null) return;
  const paths = objectOrEmpty(rule.http)['paths'];
  if (!Array.isArray(paths)) return void r.error(`${field}.http.paths`, 'must be a list of paths');
  paths.forEach((spec, j) => {
    const route = pathRoute(r, `${field}.http.paths[${j}]`, spec, host, ref);
    if (route) set.add(route);
  });
}

/** Every `rules[].http.paths[]` as a route, in the order written. */
function ruleRoutes(r: FieldReader, spec: IngressSpec, ref: ObjectRef): Route[] {
  const rules = spec.rules;
  if (rules === undefined || rules === null) return [];
  if (!Array.isArray(rules)) {
    r.error('spec.rules', 'must be a list');
    return [];
  }
  const set = new RouteSet(r);
  rules.forEach((rule, i) => addRuleRoutes(r, set, rule, `spec.rules[${i}]`, ref));
  return set.routes;
}

function defaultBackendRoute(r: FieldReader, spec: IngressSpec, ref: ObjectRef): Route | undefined {
  if (spec.defaultBackend === undefined || spec.defaultBackend === null) return undefined;
  const backend = ingressBackend(r, 'spec.defaultBackend', spec.defaultBackend, ref.namespace);
  return backend && { path: '/', backend, monitors: [], field: 'spec.defaultBackend', source: ref };
}

// ---- annotations applied to routes -----------------------------------------------------------

function sameHostPath(route: Route, target: HostPath): boolean {
  return route.host === target.host && route.path === target.path;
}

/** Routes an annotation entry names; a host-less `/` entry also names the default backend. */
function routesNamed(target: HostPath, routes: Route[], defaultRoute: Route | undefined): Route[] {
  const named = routes.filter((route) => sameHostPath(route, target));
  if (defaultRoute && target.host === undefined && target.path === '/') named.push(defaultRoute);
  return named;
}

function applyHealth(r: FieldReader, ann: IngressAnnotations, routes: Route[], defaultRoute: Route | undefined): void {
  for (const entry of ann.health) {
    const named = routesNamed(entry.target, routes, defaultRoute);
    if (named.length === 0) {
      r.warn(
        annotationField(ANNOTATIONS.health),
        `[${entry.index}].path: ${describe(entry.text)} matches no rule of this Ingress (host and path must equal a rule's); the monitor was not applied`,
      );
    }
    for (const route of named) route.monitors.push(entry.monitor);
  }
}

function applyUrlRewrites(r: FieldReader, ann: IngressAnnotations, routes: Route[]): void {
  const field = annotationField(ANNOTATIONS.rewriteTargetUrl);
  const rewrittenBy = new Map<Route, string>();
  for (const entry of ann.urlRewrites) {
    const named = entry.target === 'every-route' ? routes : routes.filter((route) => sameHostPath(route, entry.target as HostPath));
    if (named.length === 0)
      r.warn(
        field,
        `"${entry.text}" matches no rule of this Ingress (the part before = must equal a rule's host and path); it was not applied`,
      );
    for (const route of named) {
      const earlier = rewrittenBy.get(route);
      if (earlier !== undefined) {
        r.error(field, `"${entry.text}" rewrites ${describeRoute(route)}, which "${earlier}" already rewrites`);
        continue;
      }
      rewrittenBy.set(route, entry.text);
      if (entry.rewrite !== undefined) route.rewrite = entry.rewrite;
      if (entry.hostRewrite !== undefined) route.hostRewrite = entry.hostRewrite;
    }
  }
}

/** Pool settings, source ranges, monitors and rewrites from the annotations, onto the routes. */
function applyAnnotations(r: FieldReader, ann: IngressAnnotations, routes: Route[], defaultRoute: Route | undefined): void {
  const all = defaultRoute ? [...routes, defaultRoute] : routes;
  for (const route of all) {
    if (ann.loadBalancingMode) route.pool = { loadBalancingMode: ann.loadBalancingMode };
    if (ann.allowSourceRange) route.allowSourceRange = [...ann.allowSourceRange];
    // CIS applies the Ingress's WAF to its own routes: on a virtual shared with other Ingresses,
    // theirs are not filtered by it (they get a WAF-off action unless they name a WAF too).
    if (ann.waf) route.waf = ann.waf;
  }
  applyHealth(r, ann, routes, defaultRoute);
  // Rewrites apply to rule paths only: the default backend answers whatever matched nothing.
  applyUrlRewrites(r, ann, routes);
}

/** Whether a route would forward a request for exactly `path`. */
function routeServes(route: Route, path: string): boolean {
  if (route.exact) return route.path === path;
  return route.path === '/' || path === route.path || path.startsWith(`${route.path}/`);
}

function hostsOf(routes: Route[], defaultRoute: Route | undefined): Array<string | undefined> {
  const hosts = [...new Set(routes.map((route) => route.host))];
  if (defaultRoute && !hosts.includes(undefined)) hosts.push(undefined);
  return hosts.length > 0 ? hosts : [undefined];
}

/**
 * `rewrite-app-root`: a 302 redirect of exactly `/` to the app root, per named host (or every
 * host of the Ingress). Warns when the Ingress would not forward the redirected requests anywhere.
 */
function appRootRedirects(
  r: FieldReader,
  ann: IngressAnnotations,
  routes: Route[],
  defaultRoute: Route | undefined,
  ref: ObjectRef,
): RedirectRoute[] {
  const field = annotationField(ANNOTATIONS.rewriteAppRoot);
  const known = hostsOf(routes, defaultRoute);
  const redirects: RedirectRoute[] = [];
  const byHost = new Map<string | undefined, string>();
  for (const entry of ann.appRoots) {
    const hosts = entry.target === 'every-host' ? known : [entry.target.host];
    for (const host of hosts) {
      const label = host ?? '(any host)';
      if (!known.includes(host)) {
        r.warn(field, `"${entry.text}": host ${label} has no rule in this Ingress; the redirect was not applied`);
        continue;
      }
      const earlier = byHost.get(host);
      if (earlier !== undefined) {
        r.error(field, `"${entry.text}" sets the app root of ${label}, which "${earlier}" already sets`);
        continue;
      }
      byHost.set(host, entry.text);
      const served =
        Boolean(defaultRoute) ||
        routes.some((route) => (route.host === host || route.host === undefined) && routeServes(route, entry.location));
      if (!served)
        r.warn(
          field,
          `"${entry.text}": no path of this Ingress routes ${entry.location} for ${label}, so redirected requests reach no Service`,
        );
      redirects.push({
        ...(host === undefined ? {} : { host }),
        path: '/',
        exact: true,
        location: entry.location,
        code: 302,
        ...(ann.allowSourceRange ? { allowSourceRange: [...ann.allowSourceRange] } : {}),
        field,
        source: ref,
      });
    }
  }
  return redirects;
}

// ---- TLS -------------------------------------------------------------------------------------

interface TlsEntry {
  secretName: string;
  hosts: string[];
  field: string;
}

function tlsEntries(r: FieldReader, value: unknown): TlsEntry[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    r.error('spec.tls', 'must be a list of {hosts, secretName}');
    return [];
  }
  const entries: TlsEntry[] = [];
  value.forEach((item: unknown, i) => {
    const field = `spec.tls[${i}]`;
    const spec = objectOrEmpty(item);
    if (spec !== item) return void r.error(field, 'must be an object with hosts and secretName');
    const hosts = spec['hosts'] ?? [];
    if (!Array.isArray(hosts) || !hosts.every((h) => typeof h === 'string'))
      return void r.error(`${field}.hosts`, 'must be a list of host names');
    const secretName = typeof spec['secretName'] === 'string' ? spec['secretName'] : '';
    entries.push({ secretName, hosts: hosts.map((h: string) => h.toLowerCase()), field });
  });
  return entries;
}

/** The TLS of an Ingress, and whether it asked for TLS at all (even when that TLS was rejected). */
interface IngressTls {
  tls?: TlsModel;
  requested: boolean;
}

/**
 * Client-facing TLS: the clientssl annotation's BIG-IP profiles (which take the place of
 * `spec.tls`, as in CIS) or the `spec.tls` Secrets; the serverssl annotation adds re-encryption.
 */
function ingressTls(r: FieldReader, ctx: NormalizeContext, ing: Ingress, ann: IngressAnnotations, ref: ObjectRef): IngressTls {
  const tlsSpec = ing.spec?.tls;
  const requested = Boolean(ann.clientSsl) || (Array.isArray(tlsSpec) ? tlsSpec.length > 0 : !absent(tlsSpec));
  const entries = tlsEntries(r, tlsSpec);
  let tls: TlsModel | undefined;
  if (ann.clientSsl) {
    if (entries.length > 0)
      r.warn('spec.tls', `ignored: the ${ANNOTATIONS.clientSsl} annotation names the client-ssl profiles to use; remove one of the two`);
    tls = { termination: 'edge', clientSide: { profiles: ann.clientSsl }, source: ref };
  } else if (entries.length > 0) {
    // Undefined only after an error on an entry: each entry either fails or adds its certificate.
    tls = tlsFromIngressSecrets(r, ctx, ref.namespace, entries, ref);
  }
  if (!ann.serverSsl) return { tls, requested };
  if (!requested) {
    r.warn(
      annotationField(ANNOTATIONS.serverSsl),
      'ignored: the Ingress has no TLS (spec.tls or the clientssl annotation), so there is nothing to re-encrypt; add spec.tls, or remove the annotation',
    );
  }
  return { tls: tls && { ...tls, termination: 'reencrypt', serverSide: { profiles: [ann.serverSsl] } }, requested };
}

// ---- claims ----------------------------------------------------------------------------------

type HttpMode = 'redirect' | 'allow' | 'none';

/** CIS's table: ssl-redirect wins over allow-http; both false → HTTPS only. */
function httpMode(ann: IngressAnnotations): HttpMode {
  if (ann.sslRedirect) return 'redirect';
  return ann.allowHttp ? 'allow' : 'none';
}

/** Annotations that only matter with TLS, set on an Ingress without it: said, not silently ignored. */
function warnTlsOnlyAnnotations(r: FieldReader, ing: Ingress): void {
  const annotations = ing.metadata?.annotations ?? {};
  for (const name of [ANNOTATIONS.httpsPort, ANNOTATIONS.sslRedirect, ANNOTATIONS.allowHttp]) {
    if (annotations[name] !== undefined)
      r.warn(
        annotationField(name),
        'has no effect: the Ingress has no TLS (spec.tls or the clientssl annotation); add spec.tls, or remove the annotation',
      );
  }
}

function cloneRoute(route: Route): Route {
  return { ...route, monitors: [...route.monitors] };
}

/** One redirect to HTTPS per routed host/path (and a catch-all for the default backend). */
function httpsRedirects(
  routes: Route[],
  defaultRoute: Route | undefined,
  httpsPort: number,
  allowSourceRange: string[] | undefined,
): RedirectRoute[] {
  const location = httpsRedirectLocation(httpsPort);
  const seen = new Set<string>();
  const out: RedirectRoute[] = [];
  for (const route of defaultRoute ? [...routes, defaultRoute] : routes) {
    const key = routeKey(route);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({
      ...(route.host === undefined ? {} : { host: route.host }),
      path: route.path,
      ...(route.exact ? { exact: true } : {}),
      ...(route.caseSensitive ? { caseSensitive: true as const } : {}),
      location,
      code: 301,
      ...(allowSourceRange ? { allowSourceRange: [...allowSourceRange] } : {}),
      field: route.field,
      source: route.source,
    });
  }
  return out;
}

interface ClaimParts {
  ing: Ingress;
  ref: ObjectRef;
  listener: IngressListener;
  ann: IngressAnnotations;
  routes: Route[];
  defaultRoute?: Route;
  appRoots: RedirectRoute[];
}

function forwardingClaim(p: ClaimParts, type: 'http' | 'https', port: number, tls?: TlsModel): VirtualClaim {
  const settings: ServiceSettings = {};
  const defaultPool: DefaultPool | undefined = p.defaultRoute ? { route: cloneRoute(p.defaultRoute) } : undefined;
  return {
    source: p.ref,
    object: p.ing,
    type,
    partition: p.listener.partition,
    address: p.listener.address,
    port,
    snat: 'auto',
    settings,
    ...(tls ? { tls } : {}),
    routes: p.routes.map(cloneRoute),
    ...(p.appRoots.length > 0 ? { redirects: p.appRoots.map((x) => ({ ...x })) } : {}),
    ...(defaultPool ? { defaultPool } : {}),
  };
}

function redirectClaim(p: ClaimParts): VirtualClaim {
  return {
    source: p.ref,
    object: p.ing,
    type: 'http',
    partition: p.listener.partition,
    address: p.listener.address,
    port: p.listener.httpPort,
    snat: 'auto',
    settings: {},
    routes: [],
    redirects: httpsRedirects(p.routes, p.defaultRoute, p.listener.httpsPort, p.ann.allowSourceRange),
  };
}

/**
 * The claims of an Ingress. Without TLS: one HTTP claim. With TLS: the HTTPS claim, plus on the
 * HTTP port either redirects to HTTPS (ssl-redirect, the default: the app-root redirect then
 * happens on HTTPS), the same forwarding routes (allow-http), or nothing (both false: CIS serves
 * HTTPS only).
 */
function buildClaims(r: FieldReader, p: ClaimParts, tls: TlsModel | undefined): VirtualClaim[] {
  const { httpPort, httpsPort } = p.listener;
  if (!tls) return [forwardingClaim(p, 'http', httpPort)];
  const https = forwardingClaim(p, 'https', httpsPort, tls);
  const mode = httpMode(p.ann);
  if (mode === 'none') return [https];
  if (httpPort === httpsPort) {
    r.error(
      annotationField(ANNOTATIONS.httpsPort),
      `${httpsPort} is also the HTTP port; choose another port, or set ${ANNOTATIONS.sslRedirect} and ${ANNOTATIONS.allowHttp} to "false" to serve HTTPS only`,
    );
    return [];
  }
  return [mode === 'redirect' ? redirectClaim(p) : forwardingClaim(p, 'http', httpPort), https];
}

/**
 * Ingress (networking.k8s.io/v1) → its claims. An Ingress of another class gets no claims and no
 * diagnostics: it belongs to another controller. Any error rejects the whole Ingress (nothing of
 * it reaches the BIG-IP) with a message naming the field or annotation.
 */
export function normalizeIngress(ing: Ingress, ref: ObjectRef, ctx: NormalizeContext): NormalizeResult {
  const decision = ingressClassDecision(ing, ctx);
  if (!decision.ours) return { claims: [], diagnostics: [] };
  const r = new FieldReader(ref);
  if (decision.warning) r.warn(decision.warning.field, decision.warning.message);
  const spec = ing.spec;
  if (!spec || objectOrEmpty(spec) !== spec) {
    r.error('spec', 'is required');
    return { claims: [], diagnostics: r.diagnostics };
  }
  const allocated = ipamAddress(r, ctx, 'Ingress', ing);
  const defaults = {
    partition: ctx.defaultPartition,
    ...(ctx.config.defaultIngressAddress === undefined ? {} : { address: ctx.config.defaultIngressAddress }),
  };
  const ann = readIngressAnnotations(r, ing.metadata?.annotations, defaults, allocated);
  const routes = ruleRoutes(r, spec, ref);
  const defaultRoute = defaultBackendRoute(r, spec, ref);
  applyAnnotations(r, ann, routes, defaultRoute);
  const appRoots = appRootRedirects(r, ann, routes, defaultRoute, ref);
  const { tls, requested } = ingressTls(r, ctx, ing, ann, ref);
  if (!requested) warnTlsOnlyAnnotations(r, ing);
  if (r.hasErrors || !ann.listener) return { claims: [], diagnostics: r.diagnostics };
  if (routes.length === 0 && !defaultRoute) {
    r.warn(
      'spec.rules',
      'no rule has http paths and there is no defaultBackend: the virtual accepts connections but has nowhere to send them',
    );
  }
  const parts: ClaimParts = { ing, ref, listener: ann.listener, ann, routes, ...(defaultRoute ? { defaultRoute } : {}), appRoots };
  const claims = buildClaims(r, parts, tls);
  return { claims: r.hasErrors ? [] : claims, diagnostics: r.diagnostics };
}
