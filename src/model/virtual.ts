import type { ObjectRef } from '../kube/refs.js';
import type { KubeObject } from '../kube/types.js';
import type { BigipRef, PoolSettings, ServiceAddressSettings, ServiceSettings } from './settings.js';
import type { TlsModel } from './tls.js';

/** Source NAT as AS3 expresses it. */
export type Snat = 'auto' | 'none' | 'self' | { bigip: string };

export type MonitorModel =
  | {
      type: 'http' | 'https' | 'tcp' | 'udp';
      send?: string;
      receive?: string;
      interval?: number;
      timeout?: number;
      targetPort?: number;
      /** Seconds a member stays down after its first successful probe (AS3 `timeUntilUp`). */
      timeUntilUp?: number;
      /** https monitors: the BIG-IP server-ssl profile used to probe (AS3 `clientTLS`). */
      sslProfile?: string;
    }
  | { bigip: string };

/** A Service port reference as a resource wrote it. */
export interface BackendRef {
  namespace: string;
  service: string;
  servicePort: number | string;
  /**
   * The transport protocol the virtual sends (TransportServers: from `type`). A Service may list
   * one port number twice, for TCP and UDP (DNS, say): this picks the right one. Absent = TCP.
   */
  protocol?: 'TCP' | 'UDP' | 'SCTP';
  /** nodeport members only from nodes with this label (`key=value`; `key=` for an empty value). */
  nodeMemberLabel?: string;
  /** Members that are always in the pool (`staticPoolMembers`), sorted. */
  staticMembers?: Array<{ address: string; port: number }>;
}

/** Another Service that shares a route's traffic by weight (`alternateBackends`). */
export interface WeightedBackend {
  backend: BackendRef;
  /** Relative share; 0 takes no traffic. */
  weight: number;
  field: string;
}

/**
 * A Service in a named cluster that takes part of a route's traffic (`multiClusterServices`): the
 * route's members come from these entries only, each with its share by weight.
 */
export interface ClusterServiceBackend {
  cluster: string;
  backend: BackendRef;
  /** Relative share; 0 excludes the entry. */
  weight: number;
  field: string;
}

/** Persistence a route applies (`hostPersistence`), as an AS3 Endpoint_Policy `persist` action. */
export type PersistAction = { disable: Record<string, never> } | Record<string, Record<string, string | number>>;

/** One host/path → backend route of an HTTP virtual, or the single backend of an L4 virtual. */
export interface Route {
  /** Lower-case host, possibly `*.example.com`; absent = any host. */
  host?: string;
  /** Normalized path: `/` or `/seg1/seg2` (no trailing slash). */
  path: string;
  /** `Exact` Ingress paths match the whole path only; everything else matches by segment prefix. */
  exact?: boolean;
  /**
   * Match the path case-sensitively: Ingress paths (Kubernetes defines their matching as case
   * sensitive). VirtualServer paths match in any case, as CIS's policies do.
   */
  caseSensitive?: true;
  backend: BackendRef;
  monitors: MonitorModel[];
  /** Pool settings (`loadBalancingMethod`, `reselectTries`, ...). */
  pool?: PoolSettings;
  /** User-chosen pool name (`pools[].name`). */
  poolName?: string;
  /** The primary backend's weight when `alternates` are present (default 100 as in CIS). */
  weight?: number;
  alternates?: WeightedBackend[];
  /** Explicit multi-cluster members (`multiClusterServices`); when set, `backend` is the first entry's. */
  clusterServices?: ClusterServiceBackend[];
  /** Path rewrite: the matched path prefix is replaced by this path (`rewrite`). */
  rewrite?: string;
  /** Host header rewrite (`hostRewrite`). */
  hostRewrite?: string;
  /** WAF policy for this route only (`pools[].waf`). */
  waf?: BigipRef;
  persist?: PersistAction;
  /** Client source CIDRs allowed on this route (`allowSourceRange`); others are dropped. */
  allowSourceRange?: string[];
  /** The field the route came from, for messages (`spec.pools[1]`). */
  field: string;
  source: ObjectRef;
}

/** A route that answers with a redirect instead of forwarding (`httpTraffic: redirect`, `rewriteAppRoot`). */
export interface RedirectRoute {
  host?: string;
  path: string;
  /** Match only this exact path (`rewriteAppRoot` redirects `/` and nothing below it). */
  exact?: boolean;
  /** As for Route. */
  caseSensitive?: true;
  /** AS3 location, may be a `tcl:` expression. */
  location: string;
  code: 301 | 302;
  allowSourceRange?: string[];
  field: string;
  source: ObjectRef;
}

/** The pool used when no route matches (`defaultPool`): a Service backend or an existing BIG-IP pool. */
export type DefaultPool = { route: Route } | { bigip: string; field: string; source: ObjectRef };

export type VirtualType = 'http' | 'https' | 'tcp' | 'udp' | 'sctp';

/**
 * What one resource asks for on one address and port: the unit that grouping, conflict
 * detection and translation work on. A TLS VirtualServer gives two claims (HTTPS and HTTP).
 */
export interface VirtualClaim {
  source: ObjectRef;
  object: KubeObject;
  type: VirtualType;
  /** TransportServer `mode: performance` maps to AS3 Service_L4. */
  l4Mode?: 'standard' | 'performance';
  partition: string;
  address: string;
  /** `additionalVirtualServerAddresses`: more addresses of the same virtual. */
  additionalAddresses?: string[];
  port: number;
  /** User-chosen virtual name (`virtualServerName`, `hostGroupVirtualServerName`), without the port suffix. */
  virtualName?: string;
  /** Resources of one hostGroup share a virtual across namespaces. */
  hostGroup?: string;
  snat: Snat;
  settings: ServiceSettings;
  serviceAddress?: ServiceAddressSettings;
  tls?: TlsModel;
  routes: Route[];
  redirects?: RedirectRoute[];
  defaultPool?: DefaultPool;
  /**
   * Other objects the claim was computed from (TLSProfile, Secrets, Policy, IngressClass), found
   * or not: a change to any of them re-translates the claim's application.
   */
  dependsOn?: ObjectRef[];
}

/** Claims that share an address, port and protocol: one AS3 application. */
export interface VirtualGroup {
  /** `<partition>/<application>`. */
  id: string;
  partition: string;
  application: string;
  /** The AS3 service (BIG-IP virtual server) name inside the application. */
  virtualName: string;
  type: VirtualType;
  l4Mode?: 'standard' | 'performance';
  address: string;
  port: number;
  snat: Snat;
  additionalAddresses?: string[];
  settings: ServiceSettings;
  serviceAddress?: ServiceAddressSettings;
  /** TLS of the virtual: the owner's termination, with the certificates of every claim (SNI). */
  tls?: TlsModel;
  defaultPool?: DefaultPool;
  /** Oldest first; the first claim owns the address and port. */
  claims: VirtualClaim[];
}

/** Every Service backend a claim sends traffic to (routes, their alternates, the default pool). */
export function claimBackends(claim: VirtualClaim): BackendRef[] {
  const out: BackendRef[] = [];
  const routes = claim.defaultPool && 'route' in claim.defaultPool ? [...claim.routes, claim.defaultPool.route] : claim.routes;
  for (const route of routes) {
    out.push(route.backend);
    for (const alt of route.alternates ?? []) out.push(alt.backend);
    for (const entry of route.clusterServices ?? []) out.push(entry.backend);
  }
  return out;
}
