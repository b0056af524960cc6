/**
 * Writes the statuses desiredStatuses() computes (status/resource-status.ts) to the API servers,
 * docs/controller.md. Each write is a JSON merge patch of `{status}` on the `/status` subresource, sent only
 * when the status the watch last saw differs, so a steady state costs no API calls. One write
 * failing (the resource was deleted meanwhile: 404; a conflict: 409; the API server is down: 5xx)
 * does not stop the others: it is reported through `onError`, and the next reconcile tries again.
 *
 * Which fields are ours decides both the comparison and the patch:
 * - VirtualServer/TransportServer: the whole status (the CRD prunes unknown fields, and CIS's
 *   fields are all ours). Compared exactly; a field we no longer want (`error` once the resource
 *   is fixed) is removed with `null`, since a merge patch leaves out-of-patch fields alone.
 * - Service/Ingress: only `loadBalancer.ingress` (and, on a Service kube-as3 refuses, its own
 *   `kube-as3.dev/Ready` condition, written beside the others). Other controllers and the API server write there
 *   too (Service `conditions`; `ingress[].ipMode`, which the API server defaults to `VIP`), so
 *   the status counts as unchanged when it already holds every field we want, and nothing else
 *   is removed. Comparing exactly would rewrite every LoadBalancer Service on every reconcile.
 */
import { CoreV1Api, CustomObjectsApi, NetworkingV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { pooledApiClient } from './pooled-connections.js';
import { KUBE_REQUEST_TIMEOUT_MS, abortableBy, kubeCall, kubeFailure } from './kube-call.js';
import type { KubeConfig } from '@kubernetes/client-node';
import { describeRef } from '../kube/refs.js';
import type { ObjectRef } from '../kube/refs.js';
import { jsonEqual } from '../lib/json-equal.js';
import type { ResourceStatus } from '../status/resource-status.js';
import { isRecord } from '../lib/is-record.js';

/** Identifies a custom resource type for the custom objects API. */
export interface CustomResourceType {
  group: string;
  version: string;
  /** The lowercase plural of the CRD's `spec.names`, as in the URL path. */
  plural: string;
}

export const VIRTUAL_SERVER_TYPE: CustomResourceType = { group: 'cis.f5.com', version: 'v1', plural: 'virtualservers' };
export const TRANSPORT_SERVER_TYPE: CustomResourceType = { group: 'cis.f5.com', version: 'v1', plural: 'transportservers' };

/**
 * The three status writes the controller makes. `status` is a merge patch of the status: the
 * implementation sends `{status}` as the body, and a `null` value removes that field. `signal`
 * aborts the request (the writer's deadline, see kube-call.ts).
 */
export interface StatusApi {
  patchCustomStatus(
    type: CustomResourceType,
    namespace: string,
    name: string,
    status: Record<string, unknown>,
    signal?: AbortSignal,
  ): Promise<void>;
  patchServiceStatus(namespace: string, name: string, status: Record<string, unknown>, signal?: AbortSignal): Promise<void>;
  patchIngressStatus(namespace: string, name: string, status: Record<string, unknown>, signal?: AbortSignal): Promise<void>;
}

/** The API of one cluster: `undefined` for the cluster the controller runs in (refs without a cluster), else a configured cluster's name. */
export type StatusApiFor = (cluster: string | undefined) => StatusApi | undefined;

/** Written to `managedFields`, so `kubectl get -o yaml --show-managed-fields` says who set the status. */
export const FIELD_MANAGER = 'kube-as3';

/**
 * Status writes through client-node 1.4. Every call is a PATCH with
 * `Content-Type: application/merge-patch+json` (client-node's default for these methods is JSON
 * Patch, hence the header middleware) and `?fieldManager=kube-as3`, body `{"status": …}`:
 * - `patchCustomStatus` → `CustomObjectsApi.patchNamespacedCustomObjectStatus`:
 *   `PATCH /apis/{group}/{version}/namespaces/{namespace}/{plural}/{name}/status`
 * - `patchServiceStatus` → `CoreV1Api.patchNamespacedServiceStatus`:
 *   `PATCH /api/v1/namespaces/{namespace}/services/{name}/status`
 * - `patchIngressStatus` → `NetworkingV1Api.patchNamespacedIngressStatus`:
 *   `PATCH /apis/networking.k8s.io/v1/namespaces/{namespace}/ingresses/{name}/status`
 * Errors are client-node's (`ApiException` with the HTTP code for answers, others for transport).
 */
export function statusApiFor(kc: KubeConfig): StatusApi {
  const custom = pooledApiClient(kc, CustomObjectsApi);
  const core = pooledApiClient(kc, CoreV1Api);
  const networking = pooledApiClient(kc, NetworkingV1Api);
  const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  const options = (signal: AbortSignal | undefined): ReturnType<typeof setHeaderOptions> =>
    signal ? abortableBy(signal, mergePatch) : mergePatch;
  return {
    async patchCustomStatus(type, namespace, name, status, signal) {
      await custom.patchNamespacedCustomObjectStatus(
        { ...type, namespace, name, body: { status }, fieldManager: FIELD_MANAGER },
        options(signal),
      );
    },
    async patchServiceStatus(namespace, name, status, signal) {
      await core.patchNamespacedServiceStatus({ namespace, name, body: { status }, fieldManager: FIELD_MANAGER }, options(signal));
    },
    async patchIngressStatus(namespace, name, status, signal) {
      await networking.patchNamespacedIngressStatus({ namespace, name, body: { status }, fieldManager: FIELD_MANAGER }, options(signal));
    },
  };
}

/** Why one status could not be written. The message names the resource and never carries credentials. */
export class StatusWriteError extends Error {
  constructor(
    message: string,
    readonly ref: ObjectRef,
    /** The API server's HTTP status, when it answered. */
    readonly httpStatus?: number,
  ) {
    super(message);
    this.name = 'StatusWriteError';
  }

  /** The resource no longer exists (deleted since the watch saw it): nothing to fix, the watch will catch up. */
  get gone(): boolean {
    return this.httpStatus === 404;
  }
}

export interface KubeStatusWriterOptions {
  /** One API for a single cluster, or the API per cluster (`undefined` when that cluster is not known, e.g. just removed from the config). */
  api: StatusApi | StatusApiFor;
  /** The resource's status as the watch last saw it; `undefined` when it has none (or is not known). */
  current: (ref: ObjectRef) => Record<string, unknown> | undefined;
  onError?: (ref: ObjectRef, err: StatusWriteError) => void;
  /** Writes in flight at once (default 16): after a restart with many resources they are not written one round trip after another; still far below the API server's default of 200 mutating requests in flight. */
  concurrency?: number;
  /** True once the controller stops: no further write starts (the next leader or start writes them). */
  stopped?: () => boolean;
  /** Deadline of one write (default KUBE_REQUEST_TIMEOUT_MS, 10 s): a hung write fails instead of holding up the pass. */
  timeoutMs?: number;
}

export interface StatusWriteResult {
  written: number;
  /** Already as desired: no request sent. */
  skipped: number;
  failed: number;
}

/** The kinds whose whole status is ours (see the file comment). */
const WHOLE_STATUS_KINDS: ReadonlySet<string> = new Set(['VirtualServer', 'TransportServer']);
const WRITTEN_KINDS: ReadonlySet<string> = new Set([...WHOLE_STATUS_KINDS, 'Service', 'Ingress']);

/**
 * Whether `current` already holds everything `desired` says: every field of a desired object is
 * in the current one (more fields are fine), arrays have the same length and hold the desired
 * elements in order, other values are equal.
 */
export function holds(current: unknown, desired: unknown): boolean {
  if (isRecord(desired)) {
    return isRecord(current) && Object.entries(desired).every(([key, value]) => value === undefined || holds(current[key], value));
  }
  if (Array.isArray(desired)) {
    return Array.isArray(current) && current.length === desired.length && desired.every((value, i) => holds(current[i], value));
  }
  return jsonEqual(current, desired);
}

/**
 * The merge patch making `current` exactly `desired`: the desired fields (all of them, so that a
 * stale `current` cannot leave one of ours wrong) and `null` for each field to remove.
 */
export function replacingPatch(current: Record<string, unknown> | undefined, desired: Record<string, unknown>): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const key of Object.keys(current ?? {})) if (!Object.hasOwn(desired, key) || desired[key] === undefined) patch[key] = null;
  for (const [key, value] of Object.entries(desired)) {
    if (value === undefined) continue;
    const before = current?.[key];
    patch[key] = isRecord(value) && isRecord(before) ? replacingPatch(before, value) : value;
  }
  return patch;
}

const GONE = 'the resource no longer exists';

/** What a failed write says: kube-call.ts's one message, naming the resource. */
function failure(ref: ObjectRef, err: unknown): StatusWriteError {
  const failed = kubeFailure(`${describeRef(ref)}: cannot write status`, err, { timedOut: false, timeoutMs: 0 }, GONE);
  return new StatusWriteError(failed.message, ref, failed.status);
}

export class KubeStatusWriter {
  private readonly apiFor: StatusApiFor;
  private readonly current: (ref: ObjectRef) => Record<string, unknown> | undefined;
  private readonly onError: (ref: ObjectRef, err: StatusWriteError) => void;
  private readonly concurrency: number;
  private readonly stopped: () => boolean;
  private readonly timeoutMs: number;

  constructor(options: KubeStatusWriterOptions) {
    const api = options.api;
    this.apiFor = typeof api === 'function' ? api : () => api;
    this.current = options.current;
    this.onError = options.onError ?? (() => undefined);
    this.concurrency = Math.max(1, Math.floor(options.concurrency ?? 16));
    this.stopped = options.stopped ?? (() => false);
    this.timeoutMs = options.timeoutMs ?? KUBE_REQUEST_TIMEOUT_MS;
  }

  /** Writes every status that differs from the current one (until stopped); never throws. */
  async write(statuses: ResourceStatus[]): Promise<StatusWriteResult> {
    const result: StatusWriteResult = { written: 0, skipped: 0, failed: 0 };
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < statuses.length && !this.stopped()) {
        const item = statuses[next++] as ResourceStatus;
        result[await this.writeOne(item)]++;
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, statuses.length) }, worker));
    return result;
  }

  private async writeOne({ ref, status }: ResourceStatus): Promise<keyof StatusWriteResult> {
    try {
      if (!WRITTEN_KINDS.has(ref.kind)) throw new Error(`kind ${ref.kind} has no status this controller writes`);
      const whole = WHOLE_STATUS_KINDS.has(ref.kind);
      const current = this.current(ref);
      if (whole ? jsonEqual(current ?? {}, status) : holds(current ?? {}, status)) return 'skipped';
      const api = this.apiFor(ref.cluster);
      if (api === undefined) throw new Error(`no API server is configured for cluster ${ref.cluster ?? '(local)'}`);
      const patch = whole ? replacingPatch(current, status) : status;
      const what = `${describeRef(ref)}: cannot write status`;
      await kubeCall(what, (_, signal) => this.send(api, ref, patch, signal), { timeoutMs: this.timeoutMs, notFound: GONE });
      return 'written';
    } catch (err) {
      this.report(ref, err);
      return 'failed';
    }
  }

  /** `ref.kind` is one of WRITTEN_KINDS. */
  private async send(api: StatusApi, ref: ObjectRef, patch: Record<string, unknown>, signal: AbortSignal): Promise<void> {
    switch (ref.kind) {
      case 'VirtualServer':
        return api.patchCustomStatus(VIRTUAL_SERVER_TYPE, ref.namespace, ref.name, patch, signal);
      case 'TransportServer':
        return api.patchCustomStatus(TRANSPORT_SERVER_TYPE, ref.namespace, ref.name, patch, signal);
      case 'Service':
        return api.patchServiceStatus(ref.namespace, ref.name, patch, signal);
      default:
        return api.patchIngressStatus(ref.namespace, ref.name, patch, signal);
    }
  }

  /** A throwing callback must not turn one failed write into a failed batch. */
  private report(ref: ObjectRef, err: unknown): void {
    try {
      this.onError(ref, failure(ref, err));
    } catch {
      // The caller's logger failed; the count in the result still says a write failed.
    }
  }
}
