/**
 * What a plan is (the declaration, its problems, what it kept and what it serves) and the pure
 * helpers the planner builds it with.
 */
import type { ClusterSet } from '../inventory/cluster-set.js';
import { namespacedName, refKey } from '../kube/refs.js';
import type { ObjectRef } from '../kube/refs.js';
import type { KnownKind } from '../kube/types.js';
import type { Diagnostic } from '../kube/diagnostic.js';
import { diagnostic } from '../kube/diagnostic.js';
import { claimBackends } from '../model/virtual.js';
import type { VirtualGroup } from '../model/virtual.js';
import type { ApplicationResult, PoolShareSummary, RouteSummary } from '../translate/application.js';
import type { As3Application, As3Declaration, As3Tenant } from '../model/as3-types.js';
import { SHARED_APPLICATION, buildTenant } from '../translate/declaration.js';
import type { IpamState } from '../ipam/allocator.js';
import type { IpamReport } from './ipam-pass.js';

export interface Plan {
  declaration: As3Declaration;
  /** Desired tenants by name (the same objects as in `declaration`; never mutated afterwards). */
  tenants: Map<string, As3Tenant>;
  diagnostics: Diagnostic[];
  /** Applications translated in this run (the rest were reused unchanged). */
  translated: number;
  /** One row per route, for `plan -o summary` (computed on demand). */
  summary(): RouteSummary[];
  /** How each multi-cluster or weighted pool divides its traffic, for `plan -o summary`. */
  shares(): PoolShareSummary[];
  /**
   * The resources an application was made from (`Shared` objects: every resource of the tenant
   * that points at one); empty for an unknown application. The apply engine names
   * them when the BIG-IP refuses the application.
   */
  sourcesOf(tenant: string, application: string): ObjectRef[];
  /** IPAM keys, their addresses and resources; undefined when IPAM is not configured. */
  ipam: IpamReport | undefined;
  /**
   * Every resource that has a virtual in this plan, with its addresses, once per cluster holding a
   * copy in use (the cluster is set with several clusters): what the status writer reports. As of
   * the plan: call it before the cluster states change again.
   */
  resources(): PlannedResource[];
  /**
   * Resources (`Kind/namespace/name`) refused for an error of their own (their spec, what they
   * reference, their Services), not for losing a conflict with an older resource: diff, apply and
   * run keep their last good version on the BIG-IP (apply/last-good.ts).
   */
  invalid: ReadonlySet<string>;
  /**
   * Invalid resources planned from their last good version (this planner saw it valid): by
   * `Kind/namespace/name`, the version and where it is. Their routes stay as they were; diff,
   * apply and run take everything else of the plan as it is.
   */
  kept: ReadonlyMap<string, KeptInPlan>;
}

export interface KeptInPlan {
  version: string;
  /** `tenant/application` names. */
  applications: string[];
  addresses: string[];
}

/** A resource (VirtualServer, TransportServer, Ingress, LoadBalancer Service) and its virtual addresses. */
export interface PlannedResource {
  ref: ObjectRef;
  addresses: string[];
}

/**
 * A tenant from its applications' results. Runs on every change of one of them, so it does not
 * sort the (possibly 10,000) applications itself (buildTenant orders them); only the few shared
 * objects are ordered here, by name and then application, so the same inputs pick the same one.
 */
export function tenantOf(results: Map<string, ApplicationResult>, instance: string): As3Tenant {
  const applications = new Map<string, As3Application>();
  const shared: Array<{ app: string; entry: ApplicationResult['shared'][number] }> = [];
  for (const [name, result] of results) {
    applications.set(name, result.application);
    for (const entry of result.shared) shared.push({ app: name, entry });
  }
  shared.sort((a, b) => (a.entry[0] < b.entry[0] ? -1 : a.entry[0] > b.entry[0] ? 1 : a.app < b.app ? -1 : a.app > b.app ? 1 : 0));
  return buildTenant(
    applications,
    instance,
    shared.map((s) => s.entry),
  );
}

export function sourcesOf(groups: VirtualGroup[], tenant: string, application: string): ObjectRef[] {
  const shared = application === SHARED_APPLICATION;
  const refs = new Map<string, ObjectRef>();
  for (const group of groups) {
    if (group.partition !== tenant || (!shared && group.application !== application) || (shared && !group.serviceAddress)) continue;
    for (const claim of group.claims) refs.set(`${claim.source.kind}/${claim.source.namespace}/${claim.source.name}`, claim.source);
  }
  return [...refs.values()];
}

/**
 * The clusters whose copy of a resource is the one in use: with one cluster, that cluster
 * (unnamed); with several, every cluster holding a copy, except those whose copy conflicts.
 */
export function holdersOf(set: ClusterSet, diagnostics: Diagnostic[]): (ref: ObjectRef) => Array<string | undefined> {
  if (!set.multi) return () => [undefined];
  const conflicting = new Set(
    diagnostics.filter((d) => d.ref.cluster !== undefined && d.severity === 'error').map((d) => `${d.ref.cluster}/${refKey(d.ref)}`),
  );
  return (ref) =>
    set.clusters
      .filter(
        (c) => c.state.get(ref.kind as KnownKind, ref.namespace, ref.name) !== undefined && !conflicting.has(`${c.name}/${refKey(ref)}`),
      )
      .map((c) => c.name);
}

export function plannedResources(groups: VirtualGroup[], holders: (ref: ObjectRef) => Array<string | undefined>): PlannedResource[] {
  const byRef = new Map<string, { ref: ObjectRef; addresses: Set<string> }>();
  for (const group of groups) {
    for (const claim of group.claims) {
      const key = refKey(claim.source);
      const entry = byRef.get(key) ?? { ref: claim.source, addresses: new Set<string>() };
      for (const address of [claim.address, ...(claim.additionalAddresses ?? [])]) entry.addresses.add(address);
      byRef.set(key, entry);
    }
  }
  const out: PlannedResource[] = [];
  for (const { ref, addresses } of byRef.values()) {
    for (const cluster of holders(ref)) out.push({ ref: cluster === undefined ? ref : { ...ref, cluster }, addresses: [...addresses] });
  }
  return out;
}

/** The releasing allocations whose address is not in `inUse` (route domains ignored). */
export function releasable(state: IpamState, inUse: ReadonlySet<string>): IpamState['releasing'] {
  const used = new Set([...inUse].map((a) => a.split('%')[0]));
  return Object.fromEntries(Object.entries(state.releasing).filter(([, allocation]) => !used.has(allocation.address)));
}

/** Clusters that cannot be read: their members stay on the BIG-IP, and the user must know. */
export function clusterProblems(set: ClusterSet): Diagnostic[] {
  return set.clusters.flatMap((c) =>
    c.unreadable === undefined
      ? []
      : [
          diagnostic(
            { kind: 'Cluster', namespace: '', name: c.name },
            'warning',
            `cannot be read (${c.unreadable}); its resources and Services are unknown, and its pool members stay as the BIG-IP has them (diff and apply keep them; plan alone cannot show them)`,
          ),
        ],
  );
}

export function servicesOf(group: VirtualGroup): Set<string> {
  const keys = new Set<string>();
  for (const claim of group.claims) {
    for (const backend of claimBackends(claim)) keys.add(namespacedName(backend.namespace, backend.service));
  }
  return keys;
}
