import { jsonEqual } from '../lib/json-equal.js';
import { namespacedName } from '../kube/refs.js';
import type { EndpointSlice, KnownKind, KubeObject, Node, Service } from '../kube/types.js';

const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
const MAX_JOURNAL = 20_000;
const NO_ENTRIES: ReadonlyMap<string, { readonly obj: KubeObject }> = new Map();

/**
 * Kinds whose changes can alter which virtuals exist or how they are grouped: the resources
 * themselves and the configuration objects they name (TLSProfile, Policy, IngressClass). A Service
 * counts only when it is (or was) of type LoadBalancer, since such a Service is a resource; other
 * Service changes and endpoint churn only change pool members. Secrets have their own revision
 * (`secretRevision`): clusters hold many, and only the ones a resource read matter.
 */
const RESOURCE_KINDS: ReadonlySet<string> = new Set([
  'VirtualServer',
  'TransportServer',
  'Namespace',
  'TLSProfile',
  'Policy',
  'Ingress',
  'IngressClass',
]);

/** Kinds whose `status` kube-as3 writes and never reads. */
const STATUS_WRITTEN_KINDS: ReadonlySet<string> = new Set(['VirtualServer', 'TransportServer', 'Service', 'Ingress']);

/** The object without its status and the API server's bookkeeping of writes. */
function withoutBookkeeping(obj: KubeObject): unknown {
  const { status: _status, ...rest } = obj as KubeObject & { status?: unknown };
  const { resourceVersion: _rv, managedFields: _mf, ...metadata } = (obj.metadata ?? {}) as Record<string, unknown>;
  return { ...rest, metadata };
}

function isLoadBalancer(obj: KubeObject | undefined): boolean {
  return (obj as Service | undefined)?.spec?.type === 'LoadBalancer';
}

function changesGrouping(kind: string, obj: KubeObject | undefined, previous: KubeObject | undefined): boolean {
  return RESOURCE_KINDS.has(kind) || (kind === 'Service' && (isLoadBalancer(obj) || isLoadBalancer(previous)));
}

/** `ns/service` a slice belongs to, from its `kubernetes.io/service-name` label. */
function serviceKeyOf(slice: EndpointSlice): string | undefined {
  const service = slice.metadata?.labels?.[SERVICE_NAME_LABEL];
  return service ? namespacedName(slice.metadata?.namespace ?? '', service) : undefined;
}

interface Entry<T extends KubeObject> {
  obj: T;
  revision: number;
}

/**
 * One cluster's objects, indexed for the lookups member resolution needs (slices by Service,
 * nodes) and stamped with revisions so the planner can tell what changed since its last run
 * without comparing objects. Objects are treated as immutable: an update replaces the object.
 *
 * Revisions come from one counter per state, so they only grow (a deleted and re-created object
 * never reuses an old revision).
 */
export class ClusterState {
  private clock = 0;
  private readonly byKind = new Map<string, Map<string, Entry<KubeObject>>>();
  private readonly slicesByService = new Map<string, Map<string, EndpointSlice>>();
  /**
   * `ns/pod` → `ns/service` → how many slices of that Service list the pod (NodePortLocal needs
   * pods). Built when the first Pod arrives: clusters whose inputs hold no Pods never pay for it.
   */
  private readonly servicesByPod = new Map<string, Map<string, number>>();
  private podsIndexed = false;
  private readonly serviceRevisions = new Map<string, number>();
  private nodesRevision = 0;
  private resourcesRevision = 0;
  private secretsRevision = 0;
  /** Services touched (directly or through a slice), in revision order; bounded, see `servicesChangedSince`. */
  private journal: Array<{ revision: number; service: string }> = [];
  private journalFloor = 0;

  constructor(readonly name: string) {}

  /** Adds or replaces an object; objects of kinds kube-as3 does not use are ignored. */
  upsert(obj: KubeObject, kind: KnownKind): void {
    const key = namespacedName(obj.metadata?.namespace ?? '', obj.metadata?.name ?? '');
    let table = this.byKind.get(kind);
    if (!table) {
      table = new Map();
      this.byKind.set(kind, table);
    }
    const previous = table.get(key)?.obj;
    const revision = ++this.clock;
    table.set(key, { obj, revision });
    this.touch(kind, obj, previous);
  }

  /**
   * Like upsert, but an update that changes only what kube-as3 itself writes (the `status` of a
   * VirtualServer, TransportServer, Service or Ingress) replaces the object without a new revision,
   * so writing a status does not make the planner look at the resource again. Returns whether the
   * update counted as a change.
   */
  upsertChanged(obj: KubeObject, kind: KnownKind): boolean {
    const table = this.byKind.get(kind);
    const key = namespacedName(obj.metadata?.namespace ?? '', obj.metadata?.name ?? '');
    const entry = table?.get(key);
    if (entry && STATUS_WRITTEN_KINDS.has(kind) && jsonEqual(withoutBookkeeping(entry.obj), withoutBookkeeping(obj))) {
      table?.set(key, { obj, revision: entry.revision });
      return false;
    }
    this.upsert(obj, kind);
    return true;
  }

  remove(kind: KnownKind, namespace: string, name: string): void {
    const key = namespacedName(namespace, name);
    const table = this.byKind.get(kind);
    const previous = table?.get(key)?.obj;
    if (!table || !previous) return;
    table.delete(key);
    ++this.clock;
    this.touch(kind, undefined, previous);
  }

  private touch(kind: string, obj: KubeObject | undefined, previous: KubeObject | undefined): void {
    const revision = this.clock;
    if (changesGrouping(kind, obj, previous)) this.resourcesRevision = revision;
    if (kind === 'Secret') this.secretsRevision = revision;
    if (kind === 'Service') {
      const o = (obj ?? previous) as Service;
      this.markService(namespacedName(o.metadata?.namespace ?? '', o.metadata?.name ?? ''), revision);
    } else if (kind === 'EndpointSlice') {
      this.indexSlice(previous as EndpointSlice | undefined, obj as EndpointSlice | undefined, revision);
    } else if (kind === 'Pod') {
      this.indexAllPods();
      const o = (obj ?? previous) as KubeObject;
      const services = this.servicesByPod.get(namespacedName(o.metadata?.namespace ?? '', o.metadata?.name ?? ''));
      for (const service of services?.keys() ?? []) this.markService(service, revision);
    } else if (kind === 'Node') {
      this.nodesRevision = revision;
    }
  }

  private indexSlice(previous: EndpointSlice | undefined, slice: EndpointSlice | undefined, revision: number): void {
    const before = previous && serviceKeyOf(previous);
    if (previous && before) {
      if (this.podsIndexed) this.indexPods(previous, before, -1);
      const slices = this.slicesByService.get(before);
      slices?.delete(previous.metadata?.name ?? '');
      if (slices?.size === 0) this.slicesByService.delete(before);
      this.markService(before, revision);
    }
    const after = slice && serviceKeyOf(slice);
    if (slice && after) {
      if (this.podsIndexed) this.indexPods(slice, after, 1);
      const slices = this.slicesByService.get(after) ?? new Map<string, EndpointSlice>();
      slices.set(slice.metadata?.name ?? '', slice);
      this.slicesByService.set(after, slices);
      this.markService(after, revision);
    }
  }

  private indexAllPods(): void {
    if (this.podsIndexed) return;
    this.podsIndexed = true;
    for (const [service, slices] of this.slicesByService) for (const slice of slices.values()) this.indexPods(slice, service, 1);
  }

  private indexPods(slice: EndpointSlice, service: string, delta: 1 | -1): void {
    for (const endpoint of slice.endpoints ?? []) {
      const target = endpoint.targetRef;
      if (target?.kind !== 'Pod' || !target.name) continue;
      const pod = namespacedName(target.namespace ?? slice.metadata?.namespace ?? '', target.name);
      const services = this.servicesByPod.get(pod) ?? new Map<string, number>();
      const count = (services.get(service) ?? 0) + delta;
      if (count > 0) services.set(service, count);
      else services.delete(service);
      if (services.size > 0) this.servicesByPod.set(pod, services);
      else this.servicesByPod.delete(pod);
    }
  }

  private markService(key: string, revision: number): void {
    this.serviceRevisions.set(key, revision);
    this.journal.push({ revision, service: key });
    if (this.journal.length > MAX_JOURNAL) {
      const dropped = this.journal.splice(0, this.journal.length - MAX_JOURNAL / 2);
      this.journalFloor = dropped[dropped.length - 1]?.revision ?? this.journalFloor;
    }
  }

  /** The current revision: it changes with every upsert or removal. */
  get revision(): number {
    return this.clock;
  }

  /**
   * `ns/name` of the Services whose object or EndpointSlices changed after `revision`, or undefined
   * when the journal no longer reaches back that far (the caller must then look at everything).
   */
  servicesChangedSince(revision: number): Set<string> | undefined {
    if (revision < this.journalFloor) return undefined;
    const changed = new Set<string>();
    for (let i = this.journal.length - 1; i >= 0; i--) {
      const entry = this.journal[i] as { revision: number; service: string };
      if (entry.revision <= revision) break;
      changed.add(entry.service);
    }
    return changed;
  }

  get<T extends KubeObject>(kind: KnownKind, namespace: string, name: string): T | undefined {
    return this.byKind.get(kind)?.get(namespacedName(namespace, name))?.obj as T | undefined;
  }

  /** Revision of an object, or 0 when absent. */
  revisionOf(kind: KnownKind, namespace: string, name: string): number {
    return this.byKind.get(kind)?.get(namespacedName(namespace, name))?.revision ?? 0;
  }

  /**
   * `ns/name` (or `name`) and entry of every object of a kind, without building the keys again
   * (the merged view of a cluster set walks every cluster's objects on each regrouping).
   */
  entriesOf(kind: KnownKind): Iterable<[string, { readonly obj: KubeObject }]> {
    return this.byKind.get(kind) ?? NO_ENTRIES;
  }

  list<T extends KubeObject>(kind: KnownKind): T[] {
    return [...(this.byKind.get(kind)?.values() ?? [])].map((e) => e.obj as T);
  }

  service(namespace: string, name: string): Service | undefined {
    return this.get<Service>('Service', namespace, name);
  }

  /** The EndpointSlices labelled with the Service's name, in name order. */
  slicesOf(namespace: string, service: string): EndpointSlice[] {
    const slices = this.slicesByService.get(namespacedName(namespace, service));
    if (!slices) return [];
    if (slices.size === 1) return [...slices.values()];
    return [...slices.keys()].sort().map((k) => slices.get(k) as EndpointSlice);
  }

  nodes(): Node[] {
    return this.list<Node>('Node');
  }

  /** Changes whenever the Service, any of its EndpointSlices, or a Pod those slices list changes. */
  serviceRevision(namespace: string, name: string): number {
    return this.serviceRevisions.get(namespacedName(namespace, name)) ?? 0;
  }

  /** Changes whenever any Node changes. */
  get nodeRevision(): number {
    return this.nodesRevision;
  }

  /** Changes whenever an object of a kind in RESOURCE_KINDS, or a LoadBalancer Service, changes. */
  get resourceRevision(): number {
    return this.resourcesRevision;
  }

  /** Changes whenever any Secret changes. */
  get secretRevision(): number {
    return this.secretsRevision;
  }
}
