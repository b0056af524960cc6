/**
 * Kubernetes Events for problems (docs/controller.md): when a resource is refused (by kube-as3 or by the
 * BIG-IP), a Warning Event on it says why, so `kubectl describe` shows it next to the status.
 * One Event per problem when it appears (the reconcile loop calls this with new problems only).
 * A failing write is reported to `onError` and never stops the loop.
 */
import { redactText } from '../lib/redact.js';
import { CoreV1Api } from '@kubernetes/client-node';
import { pooledApiClient } from './pooled-connections.js';
import { KUBE_REQUEST_TIMEOUT_MS, abortableBy, kubeCall } from './kube-call.js';
import type { CoreV1Event, KubeConfig } from '@kubernetes/client-node';
import { describeRef } from '../kube/refs.js';
import type { ObjectRef } from '../kube/refs.js';
import type { KubeObject } from '../kube/types.js';

export interface ProblemEvent {
  ref: ObjectRef;
  /** `InvalidSpec` (kube-as3 refused it), `ApplyFailed` (the BIG-IP refused it), or a warning's own reason (`IPAMAddressKept`). */
  reason: string;
  message: string;
}

export interface EventApi {
  /** `signal` aborts the request (the recorder's deadline, see kube-call.ts). */
  create(namespace: string, event: CoreV1Event, signal?: AbortSignal): Promise<void>;
}

export function eventApiFor(kc: KubeConfig): EventApi {
  const core = pooledApiClient(kc, CoreV1Api);
  return {
    create: async (namespace, body, signal) =>
      void (await core.createNamespacedEvent({ namespace, body }, signal ? abortableBy(signal) : undefined)),
  };
}

/** The API server refuses longer Event messages. */
const MAX_MESSAGE = 1024;

export interface KubeEventRecorderOptions {
  api: (cluster: string | undefined) => EventApi | undefined;
  /** The object as its cluster's watch last saw it (uid and apiVersion for `involvedObject`). */
  objectOf: (ref: ObjectRef) => KubeObject | undefined;
  onError?: (ref: ObjectRef, err: Error) => void;
  now?: () => Date;
  /** Names this controller in `reportingInstance`. */
  instance: string;
  /** Deadline of one Event write (default KUBE_REQUEST_TIMEOUT_MS, 10 s): a hung write fails instead of holding up the pass. */
  timeoutMs?: number;
}

export class KubeEventRecorder {
  private counter = 0;

  constructor(private readonly options: KubeEventRecorderOptions) {}

  async record(events: ProblemEvent[]): Promise<void> {
    for (const e of events) {
      const obj = this.options.objectOf(e.ref);
      const api = this.options.api(e.ref.cluster);
      // Problems of files, clusters or vanished objects have nothing to attach an Event to.
      if (!obj || !api || !e.ref.namespace) continue;
      const event = this.eventFor(e, obj);
      const what = `Event ${e.reason} on ${describeRef(e.ref)}: cannot create`;
      try {
        await kubeCall(what, (_, signal) => api.create(e.ref.namespace, event, signal), {
          timeoutMs: this.options.timeoutMs ?? KUBE_REQUEST_TIMEOUT_MS,
        });
      } catch (err) {
        this.options.onError?.(e.ref, err as Error);
      }
    }
  }

  private eventFor(e: ProblemEvent, obj: KubeObject): CoreV1Event {
    const now = (this.options.now ?? (() => new Date()))();
    const meta = obj.metadata ?? {};
    // Events are readable by anyone who can list them: no key, whatever the message echoes.
    const text = redactText(e.message);
    const message = text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE - 1)}…` : text;
    return {
      metadata: { name: `${e.ref.name}.${now.getTime().toString(16)}${(this.counter++).toString(16)}`, namespace: e.ref.namespace },
      involvedObject: {
        apiVersion: obj.apiVersion ?? '',
        kind: e.ref.kind,
        name: e.ref.name,
        namespace: e.ref.namespace,
        ...(typeof meta.uid === 'string' ? { uid: meta.uid } : {}),
        ...(typeof meta.resourceVersion === 'string' ? { resourceVersion: meta.resourceVersion } : {}),
      },
      reason: e.reason,
      message,
      type: 'Warning',
      count: 1,
      firstTimestamp: now,
      lastTimestamp: now,
      source: { component: 'kube-as3' },
      reportingComponent: 'kube-as3',
      reportingInstance: this.options.instance,
    };
  }
}
