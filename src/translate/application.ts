import { CONSTANTS_PROPERTY, provenanceConstants } from './provenance.js';
import { describeRef } from '../kube/refs.js';
import { addressPort } from '../lib/ip.js';
import type { Diagnostic } from '../kube/diagnostic.js';
import { diagnostic } from '../kube/diagnostic.js';
import type { RedirectRoute, Route, VirtualClaim, VirtualGroup } from '../model/virtual.js';
import type { As3Application, As3Object } from '../model/as3-types.js';
import { compareRoutes, translateEndpointPolicy } from './endpoint-policy.js';
import type { PolicyRule, RoutingMode } from './endpoint-policy.js';
import { NameScope, addressForName, as3Name } from '../model/names.js';
import { PoolSet } from './pool-set.js';
import type { Membership, PoolEntry } from './pool-set.js';
import type { PoolShares } from './pool-shares.js';
import { applySettings, serviceClassOf } from '../model/service-classes.js';
import type { ServiceClass } from '../model/service-classes.js';
import { translateTls } from './tls.js';
import { poolPath, weightedPoolIRule } from './weighted-irule.js';
import type { WeightedIRuleEvent } from './weighted-irule.js';

export type { Membership } from './pool-set.js';

/** One row of the plan summary: a route of a virtual and where it lands (HTTP rows in match order). */
export interface RouteSummary {
  tenant: string;
  application: string;
  virtual: string;
  listener: string;
  /** The protocol (`http`, `https`, `tcp`, `udp`, `sctp`), or `l4` for a performance (Service_L4) virtual. */
  type: VirtualGroup['type'] | 'l4';
  host: string;
  path: string;
  /** `-` for a virtual without a pool; a BIG-IP pool's path for a `{bigip}` default pool. */
  pool: string;
  /** Undefined when unknown: the members of a BIG-IP pool, which kube-as3 does not manage. */
  members: number | undefined;
  source: string;
  /** The row answers with a redirect (its POOL cell says so); it is not a pool. */
  redirect?: true;
  /** The pools of this declaration the row uses: split weights list the backends' own pools; `[]` for none. Default: `[pool]`. */
  pools?: string[];
}

/** How one pool of an application divides its traffic (multi-cluster and weighted pools). */
export interface PoolShareSummary extends PoolShares {
  tenant: string;
  application: string;
  virtual: string;
  /** The pool routes forward to (for split weights, the first of the pools). */
  pool: string;
}

export interface ApplicationResult {
  application: As3Application;
  /** Pools whose traffic is divided among backends or clusters, for `plan -o summary`. */
  shares: PoolShareSummary[];
  /** Objects that belong in the tenant's `Shared` application (Service_Address), by name. */
  shared: Array<[string, As3Object]>;
  diagnostics: Diagnostic[];
  /** May be computed on first read. */
  readonly summary: RouteSummary[];
}

interface Routed {
  route: Route;
  pool: PoolEntry;
}

function isPlain(route: Route): boolean {
  return (
    route.host === undefined &&
    route.path === '/' &&
    !route.exact &&
    !route.rewrite &&
    !route.hostRewrite &&
    !route.waf &&
    !route.persist &&
    !route.allowSourceRange
  );
}

function forwardRule(route: Route, pool: string, wafDefault: 'disable' | undefined, weighted: number | undefined): PolicyRule {
  const action: Extract<PolicyRule['action'], { pool: string }> = { pool };
  if (weighted !== undefined) action.weighted = weighted;
  if (route.rewrite) action.rewrite = { from: route.path, to: route.rewrite, ...(route.caseSensitive ? { caseSensitive: true } : {}) };
  if (route.hostRewrite) action.hostRewrite = route.hostRewrite;
  const waf = route.waf ?? wafDefault;
  if (waf) action.waf = waf;
  if (route.persist) action.persist = route.persist;
  const rule: PolicyRule = { path: route.path, action };
  if (route.host) rule.host = route.host;
  if (route.exact) rule.exact = true;
  if (route.caseSensitive) rule.caseSensitive = true;
  if (route.allowSourceRange) rule.sourceRanges = route.allowSourceRange;
  return rule;
}

function redirectRule(redirect: RedirectRoute): PolicyRule {
  return {
    ...(redirect.host ? { host: redirect.host } : {}),
    path: redirect.path,
    ...(redirect.exact ? { exact: true } : {}),
    ...(redirect.caseSensitive ? { caseSensitive: true } : {}),
    ...(redirect.allowSourceRange ? { sourceRanges: redirect.allowSourceRange } : {}),
    action: { redirect: { location: redirect.location, code: redirect.code } },
  };
}

function listenerText(group: VirtualGroup): string {
  return addressPort(group.address, group.port);
}

/** Builds one application; a class so the steps share the name scope, pools and diagnostics. */
class ApplicationBuilder {
  readonly app: As3Application = { class: 'Application', template: 'generic' };
  readonly scope = new NameScope();
  readonly pools: PoolSet;
  readonly diagnostics: Diagnostic[] = [];
  readonly shared: Array<[string, As3Object]> = [];
  readonly routed: Routed[] = [];
  /** The default pool's route: in the summary, but not a policy rule (the virtual's `pool` serves it). */
  fallback: Routed | undefined;
  /** TLS objects and the policy, written after the pools so the application reads top-down. */
  readonly later: Array<[string, As3Object]> = [];
  readonly cls: ServiceClass;
  readonly mode: RoutingMode;
  /** Pools with split weights, numbered in first-use order for the weighted iRule. */
  readonly selectors = new Map<PoolEntry, number>();

  constructor(
    readonly group: VirtualGroup,
    membership: Membership,
  ) {
    this.scope.claim(group.virtualName, '#virtual');
    this.mode = group.tls?.termination === 'passthrough' ? 'sni' : 'http';
    this.pools = new PoolSet(this.app, this.scope, membership, this.mode !== 'sni');
    this.cls = serviceClassOf(group);
  }

  get l4(): boolean {
    return this.group.type !== 'http' && this.group.type !== 'https';
  }

  private selectorOf(entry: PoolEntry): number | undefined {
    if (!entry.split) return undefined;
    const known = this.selectors.get(entry);
    if (known !== undefined) return known;
    this.selectors.set(entry, this.selectors.size + 1);
    return this.selectors.size;
  }

  get owner(): VirtualClaim {
    return this.group.claims[0] as VirtualClaim;
  }

  collectRoutes(): void {
    for (const claim of this.group.claims) {
      for (const route of claim.routes) {
        const pool = this.pools.poolFor(route);
        if (pool) this.routed.push({ route, pool });
      }
    }
  }

  redirects(): RedirectRoute[] {
    return this.group.claims.flatMap((c) => c.redirects ?? []);
  }

  /** Every route and redirect as policy rules; routes without their own WAF opt out when another has one. */
  rules(mode: RoutingMode): PolicyRule[] {
    // Passthrough claims only carry `/` routes (normalization drops the others), one per host.
    const routed = this.routed;
    const fallback = this.fallback;
    const someWaf = (routed.some(({ route }) => route.waf) || Boolean(fallback?.route.waf)) && !this.group.settings.policyWAF;
    const forwards = routed.map(({ route, pool }) => forwardRule(route, pool.name, someWaf ? 'disable' : undefined, this.selectorOf(pool)));
    // A default pool limited to source ranges needs a rule: the virtual's `pool` alone admits anyone.
    // So does one with split weights (the rule tells the weighted iRule which route matched) or a WAF.
    if (mode === 'http' && fallback && (fallback.route.allowSourceRange || fallback.pool.split || fallback.route.waf || someWaf)) {
      forwards.push(forwardRule(fallback.route, fallback.pool.name, someWaf ? 'disable' : undefined, this.selectorOf(fallback.pool)));
    }
    return mode === 'sni' ? forwards : [...forwards, ...this.redirects().map(redirectRule)];
  }

  virtualAddresses(): unknown[] {
    const { group } = this;
    const extra = group.additionalAddresses ?? [];
    if (!group.serviceAddress) return [group.address, ...extra];
    const name = as3Name(`crd_service_address_${addressForName(group.address)}`);
    this.shared.push([name, { class: 'Service_Address', virtualAddress: group.address, ...group.serviceAddress }]);
    return [{ use: `/${group.partition}/Shared/${name}` }, ...extra];
  }

  service(): As3Object {
    const { group, cls } = this;
    const service: As3Object = {
      class: cls,
      ...(cls === 'Service_L4' ? { layer4: group.type } : {}),
      virtualAddresses: this.virtualAddresses(),
      virtualPort: group.port,
      snat: group.snat,
    };
    if (cls === 'Service_HTTPS') service['redirect80'] = false;
    const dropped = applySettings(service, cls, group.settings);
    for (const name of dropped) {
      this.diagnostics.push(
        diagnostic(
          this.owner.source,
          'warning',
          `${name} is not available on an AS3 ${cls} virtual and was ignored; remove it from this resource (or its Policy)`,
        ),
      );
    }
    if (group.tls?.termination === 'passthrough' && service['persistenceMethods'] === undefined)
      service['persistenceMethods'] = ['tls-session-id'];
    this.addTls(service);
    return service;
  }

  private addTls(service: As3Object): void {
    if (!this.group.tls || this.group.tls.termination === 'passthrough') return;
    const tls = translateTls(this.group.tls, this.group.virtualName, this.scope);
    this.later.push(...tls.objects);
    if (tls.serverTLS !== undefined) service['serverTLS'] = tls.serverTLS;
    if (tls.clientTLS !== undefined) service['clientTLS'] = tls.clientTLS;
  }

  /** Routes to the policy (or straight to the one pool), and the default pool for the rest. */
  route(service: As3Object): void {
    const { group, mode, l4 } = this;
    const fallback = this.defaultPool();
    const rules = this.rules(mode);
    const only = this.routed[0];
    if (only && rules.length === 1 && (l4 || (isPlain(only.route) && !only.pool.split)) && fallback === undefined) {
      service['pool'] = only.pool.name;
      if (l4 && only.pool.split) this.weightedIRule(service, [{ entry: only.pool, selector: 1 }], 'l4');
      return;
    }
    if (rules.length > 0) {
      const policyName = this.scope.claim(as3Name(`${group.virtualName}_policy`), '#policy');
      this.later.push([policyName, translateEndpointPolicy(rules, group.port, mode)]);
      service['policyEndpoint'] = policyName;
    }
    if (fallback !== undefined) service['pool'] = fallback;
    if (this.selectors.size > 0)
      this.weightedIRule(
        service,
        [...this.selectors].map(([entry, selector]) => ({ entry, selector })),
        'http',
      );
  }

  /** The generated iRule that picks among split pools; listed before the user's iRules so theirs can still override. */
  private weightedIRule(service: As3Object, routes: Array<{ entry: PoolEntry; selector: number }>, event: WeightedIRuleEvent): void {
    const { group } = this;
    const text = weightedPoolIRule(
      routes.map(({ entry, selector }) => ({
        selector,
        label:
          event === 'l4'
            ? `virtual ${group.virtualName} ${listenerText(group)}`
            : `${entry.route.host ?? 'any host'} ${entry.route.exact ? '=' : ''}${entry.route.path}`,
        pools: (entry.split ?? []).map((p) => ({ pool: poolPath(group.partition, group.application, p.name), weight: p.weight })),
      })),
      event,
    );
    const name = this.scope.claim(as3Name(`${group.virtualName}_weighted`), '#weighted-irule');
    this.later.push([name, { class: 'iRule', remark: 'kube-as3: picks a pool by weight', iRule: text }]);
    service['iRules'] = [{ use: name }, ...(Array.isArray(service['iRules']) ? service['iRules'] : [])];
  }

  private defaultPool(): string | { bigip: string } | undefined {
    const fallback = this.group.defaultPool;
    if (!fallback) return undefined;
    if (!('route' in fallback)) return { bigip: fallback.bigip };
    const pool = this.pools.poolFor(fallback.route);
    if (pool) this.fallback = { route: fallback.route, pool };
    return pool?.name;
  }

  /** What `routeSummary` reads: kept by the result instead of the whole builder. */
  get summaryInput(): SummaryInput {
    return { group: this.group, routed: this.routed, fallback: this.fallback };
  }
}

interface SummaryInput {
  group: VirtualGroup;
  routed: Routed[];
  fallback: Routed | undefined;
}

/** The plan summary's rows of one application. */
function routeSummary({ group, routed, fallback: fallbackRoute }: SummaryInput): RouteSummary[] {
  const l4 = group.type !== 'http' && group.type !== 'https';
  const type = group.l4Mode === 'performance' ? ('l4' as const) : group.type;
  const base = { tenant: group.partition, application: group.application, virtual: group.virtualName, listener: listenerText(group), type };
  const rows: RouteSummary[] = [...routed, ...(fallbackRoute ? [fallbackRoute] : [])]
    .sort((a, b) => compareRoutes(a.route, b.route))
    .map(({ route, pool }) => ({
      ...base,
      host: l4 ? '-' : (route.host ?? '*'),
      path: l4 ? '-' : `${route.exact ? '=' : ''}${route.path}`,
      pool: pool.split ? `${pool.split.map((p) => p.name).join(' | ')} (weighted iRule)` : pool.name,
      members: pool.members.length,
      source: describeRef(route.source),
      ...(pool.split ? { pools: pool.split.map((p) => p.name) } : {}),
    }));
  const redirects = group.claims
    .flatMap((c) => c.redirects ?? [])
    .sort(compareRoutes)
    .map((r) => ({
      ...base,
      host: r.host ?? '*',
      path: `${r.exact ? '=' : ''}${r.path}`,
      pool: `redirect ${r.code}`,
      members: 0,
      source: describeRef(r.source),
      redirect: true as const,
    }));
  const fallback = group.defaultPool;
  if (fallback && !('route' in fallback)) {
    // A BIG-IP pool answers what no rule matches: it is part of the virtual, though not of the declaration.
    rows.push({
      ...base,
      host: l4 ? '-' : '*',
      path: l4 ? '-' : '/',
      pool: `${fallback.bigip} (BIG-IP)`,
      members: undefined,
      source: describeRef(fallback.source),
      pools: [],
    });
  }
  if (rows.length > 0 || redirects.length > 0) return [...rows, ...redirects];
  // Every virtual the declaration deploys is a row, also one that has no pool (yet).
  return group.claims.map((claim) => ({
    ...base,
    host: '-',
    path: '-',
    pool: '-',
    members: 0,
    source: describeRef(claim.source),
    pools: [],
  }));
}

/**
 * Translates one virtual group into its AS3 application: the virtual (Service_*), its TLS
 * objects, one Pool per distinct backend, Monitors, and an Endpoint_Policy when routing by host,
 * path, SNI, source address, redirects or rewrites is needed. Member resolution (one cluster or
 * several) is injected so this stays pure and testable.
 */
export function translateApplication(group: VirtualGroup, membership: Membership): ApplicationResult {
  const b = new ApplicationBuilder(group, membership);
  b.app[CONSTANTS_PROPERTY] = provenanceConstants(group.claims.map((c) => ({ ref: c.source, object: c.object })));
  b.collectRoutes();
  const service = b.service();
  b.route(service);
  b.pools.emit();
  for (const [name, obj] of b.later) b.app[name] = obj;
  b.app[group.virtualName] = service;
  const shares = b.pools.pools.flatMap((p) => {
    const own = p.shares;
    if (!own) return [];
    return [
      {
        tenant: group.partition,
        application: group.application,
        virtual: group.virtualName,
        pool: p.name,
        mechanism: own.mechanism,
        get rows() {
          return own.rows;
        },
      },
    ];
  });
  // The route rows are only read by `plan -o summary`: built on first use, from what they read
  // (a result that kept the whole builder kept its name scope and pool tables alive: 10,000 of them
  // on a cold plan, more live memory for the garbage collector to go through).
  const input = b.summaryInput;
  let summary: RouteSummary[] | undefined;
  return {
    application: b.app,
    shared: b.shared,
    diagnostics: [...b.pools.diagnostics, ...b.diagnostics],
    shares,
    get summary(): RouteSummary[] {
      summary ??= routeSummary(input);
      return summary;
    },
  };
}
