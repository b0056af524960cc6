import { compareAge, describeRef } from '../kube/refs.js';
import type { Diagnostic } from '../model/diagnostic.js';
import { diagnostic } from '../model/diagnostic.js';
import type { Route, VirtualClaim, VirtualGroup } from '../model/virtual.js';
import { addressForName, as3Name } from '../translate/names.js';

export interface GroupResult {
  groups: VirtualGroup[];
  diagnostics: Diagnostic[];
}

function protocolOf(claim: VirtualClaim): 'tcp' | 'udp' {
  return claim.type === 'udp' ? 'udp' : 'tcp';
}

function listenerKey(claim: VirtualClaim): string {
  return `${claim.address}:${claim.port}/${protocolOf(claim)}`;
}

function applicationName(claim: VirtualClaim): string {
  const suffix = claim.type === 'udp' ? '_udp' : '';
  return as3Name(`crd_${addressForName(claim.address)}_${claim.port}${suffix}`);
}

function sameSnat(a: VirtualClaim['snat'], b: VirtualClaim['snat']): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function routeKey(route: Route): string {
  return `${route.host ?? '*any*'} ${route.path}`;
}

function describeRoute(route: Route): string {
  return `${route.host ?? '(any host)'}${route.path === '/' && route.host ? '/' : route.path}`;
}

/** Why a claim cannot join an existing group, or undefined if it can. */
function conflictWith(group: VirtualGroup, claim: VirtualClaim, routesTaken: Map<string, Route>): Diagnostic | undefined {
  const owner = group.claims[0] as VirtualClaim;
  const where = `${claim.address}:${claim.port}`;
  if (group.type !== 'http' || claim.type !== 'http') {
    return diagnostic(claim.source, 'error', `${where} is already used by ${describeRef(owner.source)} (the older resource keeps it)`, 'spec.virtualServerAddress');
  }
  if (owner.source.namespace !== claim.source.namespace) {
    return diagnostic(claim.source, 'error', `${where} is already used by ${describeRef(owner.source)} in another namespace (the older resource keeps it)`, 'spec.virtualServerAddress');
  }
  for (const route of claim.routes) {
    const taken = routesTaken.get(routeKey(route));
    if (taken) {
      return diagnostic(claim.source, 'error', `${describeRoute(route)} on ${where} is already routed by ${describeRef(taken.source)} (the older resource keeps it)`, `${route.field}.path`);
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
  if (claim.serviceAddress) group.serviceAddress = claim.serviceAddress;
  if (claim.tls) group.tls = claim.tls;
  if (claim.defaultPool) group.defaultPool = claim.defaultPool;
  return group;
}

function settingsWarnings(group: VirtualGroup, claim: VirtualClaim): Diagnostic[] {
  const owner = describeRef((group.claims[0] as VirtualClaim).source);
  const out: Diagnostic[] = [];
  if (!sameSnat(group.snat, claim.snat)) {
    out.push(diagnostic(claim.source, 'warning', `ignored: the virtual is shared with ${owner}, whose setting applies`, 'spec.snat'));
  }
  if (claim.virtualName && as3Name(`${claim.virtualName}_${claim.port}`) !== group.virtualName) {
    out.push(diagnostic(claim.source, 'warning', `ignored: the virtual is shared with ${owner}, whose name applies`, 'spec.virtualServerName'));
  }
  return out;
}

/**
 * Groups claims by address, port and protocol. Resources are considered oldest first, so the
 * older resource always keeps a contested address or route and the newer one is rejected with a
 * message naming the winner. An address belongs to one partition (BIG-IP keeps one virtual
 * address object per address); HTTP virtuals of one namespace share a listener and are routed
 * by host and path; an L4 listener has exactly one owner.
 */
export function groupClaims(claims: VirtualClaim[]): GroupResult {
  const diagnostics: Diagnostic[] = [];
  const groups = new Map<string, VirtualGroup>();
  const routes = new Map<string, Map<string, Route>>();
  const addressOwners = new Map<string, VirtualClaim>();
  const ordered = [...claims].sort((a, b) => compareAge(a.object, b.object));

  for (const claim of ordered) {
    const addressOwner = addressOwners.get(claim.address);
    if (addressOwner && addressOwner.partition !== claim.partition) {
      diagnostics.push(diagnostic(claim.source, 'error',
        `${claim.address} already belongs to partition ${addressOwner.partition} through ${describeRef(addressOwner.source)}; an address can be used in one partition only`,
        'spec.virtualServerAddress'));
      continue;
    }
    const key = listenerKey(claim);
    const group = groups.get(key);
    const taken = routes.get(key) ?? new Map<string, Route>();
    if (group) {
      const conflict = conflictWith(group, claim, taken);
      if (conflict) {
        diagnostics.push(conflict);
        continue;
      }
      diagnostics.push(...settingsWarnings(group, claim));
      group.claims.push(claim);
    } else {
      groups.set(key, newGroup(claim));
      routes.set(key, taken);
    }
    addressOwners.set(claim.address, addressOwner ?? claim);
    for (const route of claim.routes) taken.set(routeKey(route), route);
  }
  const sorted = [...groups.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { groups: sorted, diagnostics };
}
