/**
 * The in-cluster IPAM store: one IPAMAllocation custom resource (crds/ipamallocations.kube-as3.dev.yaml)
 * per controller instance holds every allocation, and the API server's resourceVersion check is the
 * compare-and-swap. A replica reads the object with its resourceVersion, allocates on it, and writes
 * it back carrying that resourceVersion: if another replica (or a person) wrote in between, the API
 * server refuses with 409 and `allocateWithStore` re-reads and allocates again. No lock, no lease:
 * the server decides, so two replicas can never both get their write in on the same version.
 *
 * `status` is a plain field of this CRD (not a subresource), so its counts go in the same write as
 * the spec and always describe the spec next to them.
 */
import { KUBE_REQUEST_TIMEOUT_MS, isKubeStatus, kubeCall } from './kube-call.js';
import type { ConfigurationOptions, CustomObjectsApi } from '@kubernetes/client-node';
import { parseIpamState } from '../ipam/store.js';
import type { IpamSaveResult, IpamStore, VersionedIpamState } from '../ipam/store.js';
import type { Allocation, IpamState } from '../ipam/allocator.js';
import { isRecord } from '../lib/is-record.js';

export const IPAM_GROUP = 'kube-as3.dev';
export const IPAM_VERSION = 'v1alpha1';
export const IPAM_PLURAL = 'ipamallocations';
export const IPAM_KIND = 'IPAMAllocation';
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const INSTANCE_LABEL = 'app.kubernetes.io/instance';

export interface KubeIpamStoreOptions {
  api: CustomObjectsApi;
  /** the controller's namespace */
  namespace: string;
  /** the object's name, e.g. `kube-as3-<instance>` */
  name: string;
  /** the controller instance, written as the `app.kubernetes.io/instance` label */
  instance?: string;
  /** clock for status.lastUpdated (tests inject a fixed one) */
  now?: () => Date;
  /** Deadline of one read or write (default KUBE_REQUEST_TIMEOUT_MS, 10 s): a hung request fails the pass, which is retried. */
  timeoutMs?: number;
}

type Metadata = Record<string, unknown>;

/**
 * Metadata fields a replace must carry over from the object read: a PUT replaces the whole object,
 * so leaving them out would drop annotations someone added, or finalizers and owner references
 * other controllers depend on.
 */
const KEPT_METADATA = ['labels', 'annotations', 'finalizers', 'ownerReferences'] as const;

function copyRecords(records: Record<string, Allocation>): Record<string, Allocation> {
  const out: Record<string, Allocation> = {};
  for (const [key, { label, address }] of Object.entries(records)) out[key] = { label, address };
  return out;
}

export class KubeIpamStore implements IpamStore {
  private readonly api: CustomObjectsApi;
  private readonly namespace: string;
  private readonly name: string;
  private readonly instance: string | undefined;
  private readonly now: () => Date;
  private readonly timeoutMs: number;
  /** The metadata of the object as last read or written, to carry over on the next replace of that version. */
  private last: { version: string; metadata: Metadata } | undefined;

  constructor(options: KubeIpamStoreOptions) {
    this.api = options.api;
    this.namespace = options.namespace;
    this.name = options.name;
    this.instance = options.instance;
    this.now = options.now ?? (() => new Date());
    this.timeoutMs = options.timeoutMs ?? KUBE_REQUEST_TIMEOUT_MS;
  }

  /** How errors name the object: the kind and `namespace/name`, so an operator can `kubectl get` it. */
  private get where(): string {
    return `${IPAM_KIND} ${this.namespace}/${this.name}`;
  }

  private get collection(): { group: string; version: string; namespace: string; plural: string } {
    return { group: IPAM_GROUP, version: IPAM_VERSION, namespace: this.namespace, plural: IPAM_PLURAL };
  }

  /** A missing object is an empty, unversioned state (the first save creates it); an invalid one is an Error. */
  async load(): Promise<VersionedIpamState> {
    let object: unknown;
    try {
      object = await this.call('read', (options) => this.api.getNamespacedCustomObject({ ...this.collection, name: this.name }, options));
    } catch (err) {
      if (!isKubeStatus(err, 404)) throw err;
      this.last = undefined;
      return { state: { allocations: {}, releasing: {} }, version: undefined };
    }
    const metadata = isRecord(object) && isRecord(object['metadata']) ? object['metadata'] : {};
    const version = this.versionOf(metadata, 'read');
    // A spec-less object (created by hand, or by a tool that omits empty maps) holds no allocations.
    const spec = isRecord(object) && object['spec'] !== undefined ? object['spec'] : {};
    const state = parseIpamState(spec);
    if (typeof state === 'string') throw new Error(`${this.where}: spec is not a valid IPAM state: ${state}`);
    this.last = { version, metadata };
    return { state, version };
  }

  /**
   * Creates the object when `expected` is undefined, else replaces it carrying `expected` as its
   * resourceVersion. The API server's 409 (AlreadyExists on create, Conflict on replace) is the lost
   * race; so is a 404 on replace, since the version read no longer exists (the object was deleted).
   */
  async save(state: IpamState, expected: string | undefined): Promise<IpamSaveResult> {
    const body = this.objectFor(state, expected);
    let written: unknown;
    try {
      written =
        expected === undefined
          ? await this.call('create', (options) => this.api.createNamespacedCustomObject({ ...this.collection, body }, options))
          : await this.call('update', (options) =>
              this.api.replaceNamespacedCustomObject({ ...this.collection, name: this.name, body }, options),
            );
    } catch (err) {
      if (isKubeStatus(err, 409) || (expected !== undefined && isKubeStatus(err, 404))) return { ok: false, conflict: true };
      throw err;
    }
    const metadata = isRecord(written) && isRecord(written['metadata']) ? written['metadata'] : {};
    const version = this.versionOf(metadata, expected === undefined ? 'create' : 'update');
    this.last = { version, metadata };
    return { ok: true, version };
  }

  private versionOf(metadata: Metadata, action: string): string {
    const version = metadata['resourceVersion'];
    if (typeof version !== 'string' || version === '') {
      throw new Error(`${this.where}: cannot ${action}: the API server's answer has no metadata.resourceVersion`);
    }
    return version;
  }

  /** The whole object as written: our labels on top of the ones already there, spec, and the status counts. */
  private objectFor(state: IpamState, expected: string | undefined): Record<string, unknown> {
    const kept: Metadata = {};
    if (expected !== undefined && this.last?.version === expected) {
      for (const field of KEPT_METADATA) if (this.last.metadata[field] !== undefined) kept[field] = this.last.metadata[field];
    }
    const labels: Record<string, unknown> = { ...(isRecord(kept['labels']) ? kept['labels'] : {}), [MANAGED_BY_LABEL]: 'kube-as3' };
    if (this.instance !== undefined) labels[INSTANCE_LABEL] = this.instance;
    const metadata: Metadata = { ...kept, name: this.name, namespace: this.namespace, labels };
    if (expected !== undefined) metadata['resourceVersion'] = expected;
    const allocations = copyRecords(state.allocations);
    const releasing = copyRecords(state.releasing);
    return {
      apiVersion: `${IPAM_GROUP}/${IPAM_VERSION}`,
      kind: IPAM_KIND,
      metadata,
      spec: { allocations, releasing },
      status: {
        allocated: Object.keys(allocations).length,
        releasing: Object.keys(releasing).length,
        lastUpdated: this.now().toISOString(),
      },
    };
  }

  /** One request with its deadline; failures (never swallowed) are kube-call.ts's KubeApiError. */
  private call<T>(action: string, fn: (options: ConfigurationOptions) => Promise<T>): Promise<T> {
    return kubeCall(`${this.where}: cannot ${action}`, fn, { timeoutMs: this.timeoutMs });
  }
}
