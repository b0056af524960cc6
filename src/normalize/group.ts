import { compareAge, describeRef } from '../kube/refs.js';
import type { ObjectRef } from '../kube/refs.js';
import type { Diagnostic } from '../kube/diagnostic.js';
import { diagnostic } from '../kube/diagnostic.js';
import type { ServiceSettings } from '../model/settings.js';
import type { TlsModel } from '../model/tls.js';
import type { DefaultPool, RedirectRoute, Route, VirtualClaim, VirtualGroup } from '../model/virtual.js';
import { mergeTls, tlsSettingsIgnored } from '../model/tls-merge.js';
import { addressPort } from '../lib/ip.js';
import { addressForName, as3Name } from '../model/names.js';

export interface GroupResult {
  groups: VirtualGroup[];
  diagnostics: Diagnostic[];
}

function protocolOf(claim: VirtualClaim): 'tcp' | 'udp' | 'sctp' {
  return claim.type === 'udp' || claim.type === 'sctp' ? claim.type : 'tcp';
}

function listenerKey(claim: VirtualClaim): string {
  return `${claim.address}:${claim.port}/${protocolOf(claim)}`;
}

/**
 * What differs per input kind in grouping: the prefix of application names (as CIS names them:
 * `crd_` for custom resources, `ingress_`, `lb_` for Services) and the fields messages point at.
 */
const KIND_NAMING: Record<string, { prefix: string; address: string; tls: string }> = {
  VirtualServer: { prefix: 'crd', address: 'spec.virtualServerAddress', tls: 'spec.tlsProfileName' },
  TransportServer: { prefix: 'crd', address: 'spec.virtualServerAddress', tls: 'spec.tls' },
  Ingress: { prefix: 'ingress', address: 'metadata.annotations["virtual-server.f5.com/ip"]', tls: 'spec.tls' },
  Service: { prefix: 'lb', address: 'metadata.annotations["cis.f5.com/ip"]', tls: 'spec' },
};

function namingOf(claim: VirtualClaim): { prefix: string; address: string; tls: string } {
  return KIND_NAMING[claim.source.kind] ?? (KIND_NAMING['VirtualServer'] as { prefix: string; address: string; tls: string });
}

function applicationName(claim: VirtualClaim): string {
  const suffix = claim.type === 'udp' || claim.type === 'sctp' ? `_${claim.type}` : '';
  return as3Name(`${namingOf(claim).prefix}_${addressForName(claim.address)}_${claim.port}${suffix}`);
}

function addressField(claim: VirtualClaim): string {
  return namingOf(claim).address;
}

/**
 * Whether two claims from different namespaces may share a virtual: VirtualServers of one
 * hostGroup, and Ingresses (CIS serves every Ingress with the same address on one virtual).
 */
function sharesAcrossNamespaces(owner: VirtualClaim, claim: VirtualClaim): boolean {
  if (owner.hostGroup) return true;
  return owner.source.kind === 'Ingress' && claim.source.kind === 'Ingress';
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

type AnyRoute = Route | RedirectRoute;

function routeKey(route: AnyRoute): string {
  return `${route.host ?? '*any*'} ${route.exact ? '=' : ''}${route.path}`;
}

function describeRoute(route: AnyRoute): string {
  return `${route.host ?? '(any host)'}${route.path === '/' && route.host ? '/' : route.path}`;
}

function claimRoutes(claim: VirtualClaim): AnyRoute[] {
  return [...claim.routes, ...(claim.redirects ?? [])];
}

/** The default pool without where it was written, for comparing two resources' choices. */
function defaultPoolKey(pool: DefaultPool | undefined): string {
  if (!pool) return '';
  return 'route' in pool ? JSON.stringify([pool.route.backend, pool.route.monitors, pool.route.pool]) : pool.bigip;
}

function tlsField(claim: VirtualClaim): string {
  return namingOf(claim).tls;
}

/** Why a claim's listener settings (type, namespace/hostGroup, TLS, default pool) rule it out. */
function listenerConflict(
  group: VirtualGroup,
  claim: VirtualClaim,
  where: string,
  tls: TlsModel | string | undefined,
): Diagnostic | undefined {
  const owner = group.claims[0] as VirtualClaim;
  const ownerName = describeRef(owner.source);
  const error = (message: string, field: string): Diagnostic =>
    diagnostic(claim.source, 'error', `${message} (the older resource keeps it)`, field);
  if (group.type !== claim.type || (group.type !== 'http' && group.type !== 'https')) {
    return error(`${where} is already used by ${ownerName}`, addressField(claim));
  }
  if ((owner.hostGroup ?? '') !== (claim.hostGroup ?? '')) {
    const theirs = owner.hostGroup ? `hostGroup ${owner.hostGroup}` : 'no hostGroup';
    return error(
      `${where} is already used by ${ownerName} with ${theirs}; resources sharing a virtual must name the same hostGroup`,
      claim.hostGroup ? 'spec.hostGroup' : addressField(claim),
    );
  }
  if (!sharesAcrossNamespaces(owner, claim) && owner.source.namespace !== claim.source.namespace) {
    return error(`${where} is already used by ${ownerName} in another namespace`, addressField(claim));
  }
  if (typeof tls === 'string') return error(`cannot share the TLS virtual ${where} with ${ownerName}: ${tls}`, tlsField(claim));
  if (group.defaultPool && claim.defaultPool && defaultPoolKey(group.defaultPool) !== defaultPoolKey(claim.defaultPool)) {
    return error(
      `the virtual ${where} already has a different default pool, set by ${describeRef('route' in group.defaultPool ? group.defaultPool.route.source : group.defaultPool.source)}`,
      'spec.defaultPool',
    );
  }
  return undefined;
}

/** Why a claim cannot join an existing group, or undefined if it can. */
function conflictWith(
  group: VirtualGroup,
  claim: VirtualClaim,
  routesTaken: Map<string, AnyRoute>,
  tls: TlsModel | string | undefined,
): Diagnostic | undefined {
  const where = addressPort(claim.address, claim.port);
  const listener = listenerConflict(group, claim, where, tls);
  if (listener) return listener;
  for (const route of claimRoutes(claim)) {
    const taken = routesTaken.get(routeKey(route));
    if (taken) {
      return diagnostic(
        claim.source,
        'error',
        `${describeRoute(route)} on ${where} is already routed by ${describeRef(taken.source)} (the older resource keeps it)`,
        'location' in route ? route.field : `${route.field}.path`,
      );
    }
  }
  return undefined;
}

function newGroup(claim: VirtualClaim): VirtualGroup {
  const application = applicationName(claim);
  const group: VirtualGroup = {
    id: `${claim.partition}/${application}`,
    partition: claim.partition,
    application,
    virtualName: claim.virtualName ? as3Name(`${claim.virtualName}_${claim.port}`) : application,
    type: claim.type,
    address: claim.address,
    port: claim.port,
    snat: claim.snat,
    settings: claim.settings,
    claims: [claim],
  };
  if (claim.l4Mode) group.l4Mode = claim.l4Mode;
  if (claim.additionalAddresses) group.additionalAddresses = claim.additionalAddresses;
  if (claim.tls) group.tls = claim.tls;
  if (claim.defaultPool) group.defaultPool = claim.defaultPool;
  return group;
}

/** Properties of a claim that only the group's owner decides; another value is ignored with a warning. */
const OWNER_DECIDES: Array<[keyof VirtualClaim, string]> = [
  ['snat', 'spec.snat'],
  ['settings', 'spec'],
  ['additionalAddresses', 'spec.additionalVirtualServerAddresses'],
];

function settingsWarnings(group: VirtualGroup, claim: VirtualClaim): Diagnostic[] {
  const ownerClaim = group.claims[0] as VirtualClaim;
  const owner = describeRef(ownerClaim.source);
  const out: Diagnostic[] = [];
  for (const [key, field] of OWNER_DECIDES) {
    if (claim[key] === undefined || same(ownerClaim[key], claim[key])) continue;
    if (key === 'settings') {
      const names = Object.keys(claim.settings).filter(
        (k) => !same(claim.settings[k as keyof ServiceSettings], ownerClaim.settings[k as keyof ServiceSettings]),
      );
      if (names.length === 0) continue;
      out.push(
        diagnostic(
          claim.source,
          'warning',
          `${names.sort().join(', ')} ignored: the virtual is shared with ${owner}, whose settings apply; set the same values on both, or remove them here`,
          field,
        ),
      );
      continue;
    }
    out.push(
      diagnostic(
        claim.source,
        'warning',
        `ignored: the virtual is shared with ${owner}, whose setting applies; set the same value on both, or remove it here`,
        field,
      ),
    );
  }
  if (group.tls && claim.tls) {
    const ignored = tlsSettingsIgnored(group.tls, claim.tls);
    if (ignored.length > 0)
      out.push(
        diagnostic(
          claim.source,
          'warning',
          `${ignored.join(', ')} of ${describeRef(claim.tls.source)} ignored: the TLS virtual is shared with ${owner}, whose settings apply; give both TLSProfiles the same values`,
          tlsField(claim),
        ),
      );
  }
  if (claim.virtualName && as3Name(`${claim.virtualName}_${claim.port}`) !== group.virtualName) {
    out.push(
      diagnostic(
        claim.source,
        'warning',
        `ignored: the virtual is shared with ${owner}, whose name applies; use the same name on both, or remove it here`,
        'spec.virtualServerName',
      ),
    );
  }
  return out;
}

/** Adds an accepted claim to its group: its TLS (merged) and a first default pool join the group's. */
function join(group: VirtualGroup, claim: VirtualClaim, tls: TlsModel | undefined): void {
  group.claims.push(claim);
  if (tls) group.tls = tls;
  if (!group.defaultPool && claim.defaultPool) group.defaultPool = claim.defaultPool;
}

/**
 * Groups claims by address, port and protocol. Resources are considered oldest first, so the
 * older resource always keeps a contested address or route and the newer one is rejected with a
 * message naming the winner. An address belongs to one partition (BIG-IP keeps one virtual
 * address object per address); HTTP virtuals of one namespace share a listener and are routed
 * by host and path; an L4 listener has exactly one owner.
 */
export function groupClaims(claims: VirtualClaim[]): GroupResult {
  const withheld = new Set<string>();
  const earlier: Diagnostic[] = [];
  for (;;) {
    const result = groupOnce(claims.filter((c) => !withheld.has(sourceKey(c.source))));
    const accepted = new Set(result.groups.flatMap((g) => g.claims.map((c) => sourceKey(c.source))));
    const rejected = result.diagnostics.filter((d) => d.severity === 'error' && accepted.has(sourceKey(d.ref)));
    if (rejected.length === 0) return { groups: result.groups, diagnostics: [...earlier, ...result.diagnostics] };
    // A resource is all or nothing: when one of its virtuals is refused (its HTTPS side, say), its
    // other virtuals are withheld too, so no half-configured application reaches the BIG-IP.
    for (const d of rejected) withheld.add(sourceKey(d.ref));
    earlier.push(...rejected);
  }
}

function sourceKey(ref: ObjectRef): string {
  return `${ref.kind}/${ref.namespace}/${ref.name}`;
}

function groupOnce(claims: VirtualClaim[]): GroupResult {
  const diagnostics: Diagnostic[] = [];
  const groups = new Map<string, VirtualGroup>();
  const routes = new Map<string, Map<string, AnyRoute>>();
  const addressOwners = new Map<string, VirtualClaim>();
  const ordered = [...claims].sort((a, b) => compareAge(a.object, b.object));

  for (const claim of ordered) {
    const addressOwner = addressOwners.get(claim.address);
    if (addressOwner && addressOwner.partition !== claim.partition) {
      diagnostics.push(
        diagnostic(
          claim.source,
          'error',
          `${claim.address} already belongs to partition ${addressOwner.partition} through ${describeRef(addressOwner.source)}; an address can be used in one partition only`,
          addressField(claim),
        ),
      );
      continue;
    }
    const key = listenerKey(claim);
    const group = groups.get(key);
    const taken = routes.get(key) ?? new Map<string, AnyRoute>();
    if (group) {
      const tls = group.tls && claim.tls ? mergeTls(group.tls, claim.tls) : undefined;
      const conflict = conflictWith(group, claim, taken, tls);
      if (conflict) {
        diagnostics.push(conflict);
        continue;
      }
      diagnostics.push(...settingsWarnings(group, claim));
      join(group, claim, tls as TlsModel | undefined);
    } else {
      groups.set(key, newGroup(claim));
      routes.set(key, taken);
    }
    addressOwners.set(claim.address, addressOwner ?? claim);
    for (const route of claimRoutes(claim)) taken.set(routeKey(route), route);
  }
  const sorted = [...groups.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  diagnostics.push(...applyServiceAddresses(sorted));
  return { groups: sorted, diagnostics };
}

/**
 * `serviceAddress` describes the BIG-IP virtual address object, of which there is one per address:
 * every virtual on the address (any port or protocol) uses the same Service_Address, else AS3
 * would create a second virtual address for the same IP and fail. The oldest resource that sets
 * it decides; a newer one with other settings gets a warning naming it.
 */
function applyServiceAddresses(groups: VirtualGroup[]): Diagnostic[] {
  const claims = groups
    .flatMap((g) => g.claims.filter((c) => c.serviceAddress !== undefined))
    .sort((a, b) => compareAge(a.object, b.object));
  const chosen = new Map<string, VirtualClaim>();
  const out: Diagnostic[] = [];
  for (const claim of claims) {
    const first = chosen.get(claim.address);
    if (!first) chosen.set(claim.address, claim);
    else if (!same(first.serviceAddress, claim.serviceAddress)) {
      out.push(
        diagnostic(
          claim.source,
          'warning',
          `ignored: ${claim.address} already has virtual address settings from ${describeRef(first.source)}, which apply to every virtual on it; write the same serviceAddress on both, or remove it here`,
          'spec.serviceAddress',
        ),
      );
    }
  }
  for (const group of groups) {
    const settings = chosen.get(group.address)?.serviceAddress;
    if (settings) group.serviceAddress = settings;
  }
  return out;
}
