import type { Config } from '../config/config.js';
import { ClusterState } from '../inventory/cluster-state.js';
import { ClusterSet } from '../inventory/cluster-set.js';
import type { ClusterEntry } from '../inventory/cluster-set.js';
import { MergedView } from '../inventory/merged-view.js';
import type { ResourceView } from '../inventory/merged-view.js';
import { mustParseLabelSelector } from '../kube/label-selector.js';
import type { LabelSelector } from '../kube/label-selector.js';
import { refKey, refOf } from '../kube/refs.js';
import type { ObjectRef } from '../kube/refs.js';
import type { Ingress, KnownKind, KubeObject, Namespace, Service, TransportServer, VirtualServer } from '../kube/types.js';
import type { Diagnostic } from '../kube/diagnostic.js';
import { compareDiagnostics, diagnostic } from '../kube/diagnostic.js';
import { claimBackends } from '../model/virtual.js';
import type { VirtualClaim, VirtualGroup } from '../model/virtual.js';
import { Selection } from '../normalize/selection.js';
import { normalizeIngress } from '../normalize/ingress.js';
import { normalizeLoadBalancerService, servesLoadBalancer } from '../normalize/load-balancer-service.js';
import { normalizeTransportServer } from '../normalize/transport-server.js';
import { normalizeVirtualServer } from '../normalize/virtual-server.js';
import { NormalizeContext } from '../normalize/context.js';
import type { NormalizeResult } from '../normalize/context.js';
import { parseAddress } from '../lib/ip.js';
import { nodeAddresses, onePerNode } from '../resolve/node-addresses.js';
import type { NodeAddress } from '../resolve/node-addresses.js';
import { resolveAcrossClusters } from '../resolve/resolve-clusters.js';
import type { ClusterScope } from '../resolve/resolve-clusters.js';
import type { ApplicationResult } from '../translate/application.js';
import { translateApplication } from '../translate/application.js';
import type { As3Application, As3Tenant } from '../model/as3-types.js';
import { buildDeclaration } from '../translate/declaration.js';
import { commitReleases, emptyIpamState } from '../ipam/allocator.js';
import type { IpamState } from '../ipam/allocator.js';
import { parseRanges } from '../ipam/ranges.js';
import type { AddressRange } from '../ipam/ranges.js';
import { ingressClassDecision } from '../normalize/ingress-class.js';
import { ipamDefaults } from '../normalize/ipam-request.js';
import { NO_IPAM, runIpam } from './ipam-pass.js';
import { LastGoodClaims } from './last-good-claims.js';
import { resourceVersion } from '../translate/provenance.js';
import { keptInPlan, keptKeys, regroup } from './grouping.js';
import type { Grouping } from './grouping.js';
import { clusterProblems, holdersOf, plannedResources, releasable, sourcesOf, tenantOf } from './plan.js';
import type { Plan } from './plan.js';
import type { IpamPass } from './ipam-pass.js';
import { MemoTable } from './memo-table.js';
import type { GroupMemo } from './memo-table.js';

/** What every group's resolution shares; each group then takes the node addresses of its family. */
interface NodeScopedContext {
  set: ClusterSet;
  view: ResourceView;
  mode: Config['poolMemberType'];
  /** Per cluster (by name): its selected node addresses by family. */
  nodesByFamily: Map<string, Record<4 | 6, NodeAddress[]>>;
}

interface TenantState {
  applications: Map<string, ApplicationResult>;
  tenant: As3Tenant;
}

type Normalizer = (obj: KubeObject, ref: ObjectRef, ctx: NormalizeContext) => NormalizeResult;

/** The normalizer of each resource kind. */
const NORMALIZERS: Record<string, Normalizer | undefined> = {
  VirtualServer: normalizeVirtualServer as Normalizer,
  TransportServer: normalizeTransportServer as Normalizer,
  Ingress: normalizeIngress as Normalizer,
  Service: normalizeLoadBalancerService as Normalizer,
};

/**
 * Runs the pure pipeline — normalize → group → resolve → translate — over one cluster's state, or
 * a cluster set's (docs/multi-cluster.md: resources from the merged view, members from every cluster), and
 * remembers its results. After the first run:
 * - a change to a resource (VirtualServer, TransportServer, Ingress, LoadBalancer Service), to what
 *   they name (TLSProfile, Policy, IngressClass, Namespace) or to a Secret some resource read
 *   re-normalizes and re-groups, then re-translates the applications whose fingerprint (the
 *   revisions of their resources, of what those read, and of their Services) changed;
 * - a Service or EndpointSlice change re-translates only the applications that route to that
 *   Service and rebuilds only their tenants, so one endpoint change costs one application;
 * - a Node change re-translates every application that can have node members (nodeport and auto modes).
 */
export class Planner {
  private readonly selection: Selection;
  private readonly nodeSelector: LabelSelector;
  private readonly lastGood = new LastGoodClaims();
  /** Recorded last good versions not yet normalized, and the version each key was seeded with. */
  private readonly recorded = new Map<string, KubeObject>();
  private readonly seeded = new Map<string, string>();
  private grouping: Grouping | undefined;
  private readonly memo = new MemoTable();
  private tenants = new Map<string, TenantState>();
  /** Per cluster (by name): the revision and node revision the last plan saw. */
  private seen = new Map<string, { revision: number; nodeRevision: number }>();
  private seenSignature: string | undefined;
  private nodeCache = new Map<string, { revision: number; byFamily: Record<4 | 6, NodeAddress[]> }>();

  private ipamState: IpamState;
  private readonly ipamRanges: Map<string, AddressRange[]>;

  /** `ipamState`: the allocations a store kept (a state file, the controller's custom resource). */
  constructor(
    private readonly config: Config,
    options: { ipamState?: IpamState } = {},
  ) {
    this.ipamState = options.ipamState ?? emptyIpamState();
    // The config was validated, ranges included: parse errors cannot happen here.
    this.ipamRanges = parseRanges(config.ipam.ranges).ranges;
    this.selection = new Selection(config);
    this.nodeSelector = mustParseLabelSelector(config.nodeLabelSelector);
  }

  /** Plans one cluster (a ClusterState) or a cluster set; the same planner must always get the same kind. */
  plan(input: ClusterState | ClusterSet): Plan {
    const set = input instanceof ClusterState ? ClusterSet.single(input) : input;
    if (set.signature !== this.seenSignature) {
      // Cluster ratios, admin states or readability changed: every pool may change.
      this.grouping = undefined;
      this.memo.clear();
      this.seen.clear();
      this.seenSignature = set.signature;
    }
    const view: ResourceView = set.multi ? new MergedView(set.clusters) : (set.clusters[0] as ClusterEntry).state;
    const previous = this.grouping;
    let grouping = this.groupingFor(view, set);
    const nodesByFamily = new Map(set.clusters.map((c) => [c.name, this.nodeAddressesFor(c.state)]));
    const ctx: NodeScopedContext = { set, view, mode: this.config.poolMemberType, nodesByFamily };
    const nodesChanged = this.nodesMatter() && set.clusters.some((c) => c.state.nodeRevision !== this.seen.get(c.name)?.nodeRevision);
    let changedServices = grouping === previous && !nodesChanged ? this.servicesChanged(set) : undefined;
    if (
      grouping === previous &&
      grouping.withheld.size > 0 &&
      (!changedServices || [...changedServices].some((s) => grouping.withheldServices.has(s)))
    ) {
      // What a withheld resource routes to changed: try it again.
      grouping = this.grouping = regroup({ ...grouping, noSubstitute: new Set() }, new Map(), this.lastGood);
      changedServices = undefined;
    }
    let translated = changedServices ? this.retranslate(this.groupsUsing(changedServices, grouping), ctx) : this.rebuild(grouping, ctx);
    for (let refused = this.translationErrors(grouping); refused.size > 0; refused = this.translationErrors(grouping)) {
      // First refusal: the last good claims stand in; when they fail too, the resource is left out.
      const withheld = new Map(grouping.withheld);
      const noSubstitute = new Set(grouping.noSubstitute);
      for (const [key, problems] of refused) {
        if (withheld.has(key)) noSubstitute.add(key);
        else withheld.set(key, problems);
      }
      grouping = this.grouping = regroup({ ...grouping, noSubstitute }, withheld, this.lastGood);
      translated += this.rebuild(grouping, ctx);
    }
    if (grouping !== previous) this.lastGood.record(grouping.groups, keptKeys(grouping, this.lastGood));
    for (const c of set.clusters) this.seen.set(c.name, { revision: c.state.revision, nodeRevision: c.state.nodeRevision });
    return this.result(grouping, translated, set);
  }

  /** Services changed in any cluster since the last plan, or undefined when some cluster cannot tell. */
  private servicesChanged(set: ClusterSet): Set<string> | undefined {
    const changed = new Set<string>();
    for (const c of set.clusters) {
      const seen = this.seen.get(c.name);
      const since = seen ? c.state.servicesChangedSince(seen.revision) : undefined;
      if (!since) return undefined;
      for (const service of since) changed.add(service);
    }
    return changed;
  }

  /** Every group: reuse memos whose fingerprint still matches, drop memos of vanished groups. */
  private rebuild(grouping: Grouping, ctx: NodeScopedContext): number {
    const memo: GroupMemo[] = [];
    const tenants = new Map<string, Map<string, ApplicationResult>>();
    let translated = 0;
    for (const group of grouping.groups) {
      const { entry, fresh } = this.translateGroup(group, ctx);
      memo.push(entry);
      if (fresh) translated++;
      const apps = tenants.get(group.partition) ?? new Map<string, ApplicationResult>();
      apps.set(group.application, entry.result);
      tenants.set(group.partition, apps);
    }
    this.memo.replaceAll(memo);
    const reuse = this.tenants;
    this.tenants = new Map();
    for (const [name, applications] of tenants) {
      const old = reuse.get(name);
      const same =
        old && old.applications.size === applications.size && [...applications].every(([app, obj]) => old.applications.get(app) === obj);
      this.tenants.set(name, same ? old : { applications, tenant: tenantOf(applications, this.config.as3.instance) });
    }
    return translated;
  }

  /** Only the given groups; their tenants are rebuilt, the others kept as they are. */
  private retranslate(groups: VirtualGroup[], ctx: NodeScopedContext): number {
    // Per touched tenant: the changed applications, or undefined when its Shared objects changed.
    const touched = new Map<string, Map<string, As3Application> | undefined>();
    let translated = 0;
    for (const group of groups) {
      const { entry, fresh } = this.translateGroup(group, ctx);
      this.memo.set(entry);
      if (!fresh) continue;
      translated++;
      const state = this.tenants.get(group.partition);
      if (!state) continue;
      const before = state.applications.get(group.application);
      state.applications.set(group.application, entry.result);
      const patch = touched.has(group.partition) ? touched.get(group.partition) : new Map<string, As3Application>();
      const sameShared = before !== undefined && JSON.stringify(before.shared) === JSON.stringify(entry.result.shared);
      touched.set(group.partition, patch && sameShared ? patch.set(group.application, entry.result.application) : undefined);
    }
    for (const [name, patch] of touched) {
      const state = this.tenants.get(name);
      if (!state) continue;
      // The application names and Shared objects are unchanged: a copy of the tenant with the new
      // applications keeps the name order without sorting 10,000 names again. (A copy, not an
      // in-place edit: earlier plans handed out the old tenant object.)
      state.tenant = patch
        ? Object.assign({ ...state.tenant }, Object.fromEntries(patch))
        : tenantOf(state.applications, this.config.as3.instance);
    }
    return translated;
  }

  private translateGroup(group: VirtualGroup, ctx: NodeScopedContext): { entry: GroupMemo; fresh: boolean } {
    const fingerprint = this.fingerprint(group, ctx);
    const old = this.memo.get(group.id);
    if (old && old.fingerprint === fingerprint) return { entry: { ...old, group }, fresh: false };
    const address = parseAddress(group.address);
    const scopes: ClusterScope[] = ctx.set.clusters.map((entry) => ({
      entry,
      ctx: {
        cluster: entry.state,
        mode: ctx.mode,
        nodeAddresses: (ctx.nodesByFamily.get(entry.name) as Record<4 | 6, NodeAddress[]>)[address?.family ?? 4],
        ...(address?.routeDomain ? { routeDomain: address.routeDomain } : {}),
      },
    }));
    const set = { mode: ctx.set.mode, local: ctx.set.localName };
    const result = translateApplication(group, {
      mode: set.mode,
      resolve: (backend, only) => resolveAcrossClusters(scopes, set, backend, only),
    });
    return { entry: { group, fingerprint, result }, fresh: true };
  }

  /** Resources whose translation in the current groups reported an error, with those errors. */
  private translationErrors(grouping: Grouping): Map<string, Diagnostic[]> {
    const out = new Map<string, Diagnostic[]>();
    // Most plans have no error at all: then there is nothing to look through.
    if (!this.memo.hasErrors) return out;
    for (const group of grouping.groups) {
      for (const d of this.memo.get(group.id)?.result.diagnostics ?? []) {
        if (d.severity === 'error') out.set(refKey(d.ref), [...(out.get(refKey(d.ref)) ?? []), d]);
      }
    }
    return out;
  }

  private groupsUsing(services: Set<string>, grouping: Grouping): VirtualGroup[] {
    const ids = new Set<string>();
    for (const service of services) for (const id of grouping.byService.get(service) ?? []) ids.add(id);
    return [...ids].flatMap((id) => this.memo.get(id)?.group ?? []);
  }

  private result(grouping: Grouping, translated: number, set: ClusterSet): Plan {
    const tenants = new Map<string, As3Tenant>();
    for (const [name, state] of this.tenants) tenants.set(name, state.tenant);
    const declaration = buildDeclaration(tenants, { schemaVersion: this.config.as3.schemaVersion, instance: this.config.as3.instance });
    const diagnostics = [...grouping.diagnostics];
    if (this.memo.hasDiagnostics) {
      for (const entry of this.memo.inOrder()) {
        if (entry.result.diagnostics.length > 0) diagnostics.push(...entry.result.diagnostics);
      }
    }
    // Errors found while translating (a Service port that does not exist, say) are the resource's own.
    const invalid = grouping.withheld.size === 0 ? grouping.invalid : new Set([...grouping.invalid, ...grouping.withheld.keys()]);
    const kept = keptInPlan(grouping, this.lastGood);
    diagnostics.sort(compareDiagnostics);
    // A snapshot: later plans replace memo entries, this plan's summary must not change.
    const memos = this.memo.snapshot();
    const groups = grouping.groups;
    const holders = holdersOf(set, grouping.diagnostics);
    return {
      declaration,
      tenants,
      diagnostics,
      translated,
      summary: () => memos.flatMap((m) => m?.result.summary ?? []),
      shares: () => memos.flatMap((m) => m?.result.shares ?? []),
      sourcesOf: (tenant, application) => sourcesOf(groups, tenant, application),
      ipam: grouping.ipam,
      invalid,
      kept,
      resources: () => {
        grouping.resources ??= plannedResources(groups, holders);
        return grouping.resources;
      },
    };
  }

  /** Node changes alter members only where nodes are members (nodeport, and auto for NodePort Services). */
  private nodesMatter(): boolean {
    return this.config.poolMemberType === 'nodeport' || this.config.poolMemberType === 'auto';
  }

  private nodeAddressesFor(cluster: ClusterState): Record<4 | 6, NodeAddress[]> {
    let cached = this.nodeCache.get(cluster.name);
    if (cached?.revision !== cluster.nodeRevision) {
      const addresses = nodeAddresses(cluster.nodes(), {
        selector: this.nodeSelector,
        useNodeInternal: this.config.useNodeInternal,
        includeUnschedulable: this.config.includeUnschedulableNodes,
      });
      cached = { revision: cluster.nodeRevision, byFamily: { 4: onePerNode(addresses, 4), 6: onePerNode(addresses, 6) } };
      this.nodeCache.set(cluster.name, cached);
    }
    return cached.byFamily;
  }

  /** Revisions of everything a group's application is computed from (Services and nodes: in every cluster). */
  private fingerprint(group: VirtualGroup, ctx: NodeScopedContext): string {
    const { view, set } = ctx;
    const parts: Array<string | number> = [];
    const single = set.clusters.length === 1 ? (set.clusters[0] as ClusterEntry).state : undefined;
    for (const claim of group.claims) {
      const { kind, namespace, name } = claim.source;
      parts.push(`${kind}/${namespace}/${name}@${view.revisionOf(kind as KnownKind, namespace, name)}`);
      // A last good claim stands in for the current (invalid) object: not the same translation.
      if (view.get(kind as KnownKind, namespace, name) !== claim.object) parts.push('last-good');
      for (const dep of claim.dependsOn ?? [])
        parts.push(`${dep.kind}/${dep.namespace}/${dep.name}@${view.revisionOf(dep.kind as KnownKind, dep.namespace, dep.name)}`);
      for (const backend of claimBackends(claim)) {
        parts.push(
          single
            ? single.serviceRevision(backend.namespace, backend.service)
            : set.clusters.map((c) => c.state.serviceRevision(backend.namespace, backend.service)).join('/'),
        );
      }
    }
    if (this.nodesMatter()) parts.push(set.clusters.map((c) => c.state.nodeRevision).join('/'));
    // Decided per address across groups, so another group's resource can change it.
    if (group.serviceAddress) parts.push(JSON.stringify(group.serviceAddress));
    return parts.join(',');
  }

  /** The current grouping still holds: no resource changed, and no Secret any resource read. */
  private groupingValid(view: ResourceView): boolean {
    const g = this.grouping;
    if (!g || g.revision !== view.resourceRevision) return false;
    if (g.secretRevision === view.secretRevision) return true;
    const unchanged = g.secretReads.every((s) => view.revisionOf('Secret', s.namespace, s.name) === s.revision);
    if (unchanged) g.secretRevision = view.secretRevision;
    return unchanged;
  }

  private groupingFor(cluster: ResourceView, set: ClusterSet): Grouping {
    if (this.groupingValid(cluster)) return this.grouping as Grouping;
    const secretReads: Grouping['secretReads'] = [];
    const invalid = new Set<string>();
    const substituted = new Set<string>();
    const claims: VirtualClaim[] = [];
    const diagnostics: Diagnostic[] = [];
    const namespaceOf = (name: string): Namespace | undefined => cluster.get<Namespace>('Namespace', '', name);
    // Which resources this controller serves: labelled custom resources (a skipped one gets a
    // warning), Ingresses and LoadBalancer Services of watched namespaces.
    const served = <T extends KubeObject>(obj: T, labelled: boolean): boolean => {
      if (!labelled) return this.selection.watchesNamespaceOf(obj, namespaceOf);
      const skip = this.selection.skipReason(obj, namespaceOf);
      if (skip) diagnostics.push(diagnostic(refOf(obj), 'warning', skip));
      return !skip;
    };
    const resources = this.servedResources(cluster, served);
    if (cluster instanceof MergedView) {
      const labelled = (kind: string): boolean => kind === 'VirtualServer' || kind === 'TransportServer';
      diagnostics.push(
        ...cluster.conflicts((kind, obj) =>
          labelled(kind) ? this.selection.skipReason(obj, namespaceOf) === undefined : this.selection.watchesNamespaceOf(obj, namespaceOf),
        ),
      );
    }
    diagnostics.push(...clusterProblems(set));
    const ipam = this.ipamPass(cluster, resources);
    const ctx = new NormalizeContext(this.config, cluster, ipam);
    const take = <T extends KubeObject>(obj: T, normalize: (o: T, ref: ObjectRef, c: NormalizeContext) => NormalizeResult): void => {
      const ref = refOf(obj);
      const result = normalize(obj, ref, ctx);
      const dependsOn = ctx.takeDependencies();
      for (const dep of dependsOn) {
        if (dep.kind === 'Secret')
          secretReads.push({ namespace: dep.namespace, name: dep.name, revision: cluster.revisionOf('Secret', dep.namespace, dep.name) });
      }
      diagnostics.push(...result.diagnostics);
      if (result.diagnostics.some((d) => d.severity === 'error')) {
        invalid.add(refKey(ref));
        // Last known good: the claims of the version planned before stand in for the invalid one.
        const substitute = this.lastGood.get(refKey(ref));
        if (substitute) {
          claims.push(...substitute);
          substituted.add(refKey(ref));
        }
        return;
      }
      for (const claim of result.claims) {
        if (dependsOn.length > 0) claim.dependsOn = dependsOn;
        claims.push(claim);
      }
    };
    this.normalizeRecorded(ctx);
    for (const { kind, obj } of resources) {
      if (kind === 'VirtualServer') take(obj as VirtualServer, normalizeVirtualServer);
      else if (kind === 'TransportServer') take(obj as TransportServer, normalizeTransportServer);
      else if (kind === 'Ingress') take(obj as Ingress, normalizeIngress);
      else take(obj as Service, normalizeLoadBalancerService);
    }
    this.grouping = regroup(
      {
        revision: cluster.resourceRevision,
        secretRevision: cluster.secretRevision,
        secretReads,
        claims,
        normalized: diagnostics,
        invalid,
        substituted,
        noSubstitute: new Set(),
        ipam: ipam.report,
      },
      new Map(),
      this.lastGood,
    );
    return this.grouping;
  }

  /**
   * Last good versions the BIG-IP recorded (see `seedLastGood`) become this planner's memory of
   * them, when they are still valid in the current context (their TLSProfile, Secrets, Services).
   */
  private normalizeRecorded(ctx: NormalizeContext): void {
    for (const [key, obj] of this.recorded) {
      if (this.lastGood.get(key)) continue;
      const normalize = NORMALIZERS[obj.kind ?? ''];
      const result = normalize?.(obj, refOf(obj), ctx);
      const dependsOn = ctx.takeDependencies();
      if (!result || result.diagnostics.some((d) => d.severity === 'error') || result.claims.length === 0) continue;
      for (const claim of result.claims) if (dependsOn.length > 0) claim.dependsOn = dependsOn;
      this.lastGood.set(key, result.claims);
    }
    this.recorded.clear();
  }

  /**
   * The last good versions of invalid resources as the BIG-IP recorded them (in applications
   * several resources share): a planner without memory of them (after a restart, in a one-shot
   * apply) plans them as if it had seen them, so their routes stay while the other resources'
   * changes go through. True when something new was given: plan again.
   */
  seedLastGood(objects: ReadonlyMap<string, KubeObject>): boolean {
    let added = false;
    for (const [key, obj] of objects) {
      if (this.lastGood.get(key) || this.seeded.get(key) === resourceVersion(obj)) continue;
      this.seeded.set(key, resourceVersion(obj));
      this.recorded.set(key, obj);
      added = true;
    }
    if (added) this.grouping = undefined;
    return added;
  }

  /** The resources to normalize, in a fixed kind order (each kind in the cluster's order). */
  private servedResources(
    cluster: ResourceView,
    served: (obj: KubeObject, labelled: boolean) => boolean,
  ): Array<{ kind: string; obj: KubeObject }> {
    const out: Array<{ kind: string; obj: KubeObject }> = [];
    for (const vs of cluster.list<VirtualServer>('VirtualServer')) if (served(vs, true)) out.push({ kind: 'VirtualServer', obj: vs });
    for (const ts of cluster.list<TransportServer>('TransportServer')) if (served(ts, true)) out.push({ kind: 'TransportServer', obj: ts });
    for (const ing of cluster.list<Ingress>('Ingress')) if (served(ing, false)) out.push({ kind: 'Ingress', obj: ing });
    for (const svc of cluster.list<Service>('Service')) {
      if (svc.spec?.type === 'LoadBalancer' && served(svc, false)) out.push({ kind: 'Service', obj: svc });
    }
    return out;
  }

  /**
   * Allocates addresses for the resources that ask IPAM (ipam-pass.ts). Ingresses of another
   * class and Services of another loadBalancerClass are not ours: they never hold an address.
   */
  private ipamPass(cluster: ResourceView, resources: Array<{ kind: string; obj: KubeObject }>): IpamPass {
    if (this.ipamRanges.size === 0) return NO_IPAM;
    const probe = new NormalizeContext(this.config, cluster);
    const asking = resources.filter(({ kind, obj }) => {
      if (kind === 'Ingress') return ingressClassDecision(obj as Ingress, probe).ours;
      if (kind === 'Service') return servesLoadBalancer(obj as Service, this.config);
      return true;
    });
    const pass = runIpam(this.ipamState, this.ipamRanges, asking, {
      reallocate: this.config.ipam.reallocate === true,
      defaults: ipamDefaults(this.config),
    });
    if (pass.report) this.ipamState = pass.report.state;
    return pass;
  }

  /** The IPAM allocations as they stand after the latest plan (a store saves them). */
  get ipam(): IpamState {
    return this.ipamState;
  }

  /**
   * The allocations another writer stored (a compare-and-swap save lost the race): the next plan
   * allocates on them. The grouping is dropped, since addresses may move.
   */
  replaceIpamState(state: IpamState): void {
    this.ipamState = state;
    this.grouping = undefined;
  }

  /**
   * After the declaration was applied: addresses no resource uses any more become free, except
   * those in `inUse` (the last good version of an invalid resource still serves them).
   */
  releaseUnusedAddresses(inUse: ReadonlySet<string> = new Set()): IpamState {
    this.ipamState = commitReleases(this.ipamState, releasable(this.ipamState, inUse));
    return this.ipamState;
  }
}
