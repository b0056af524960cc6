/**
 * After each pass, each resource's status goes to its cluster (docs/controller.md): the address it got, Ok or
 * the reason it was refused (by kube-as3 or by the BIG-IP), and LoadBalancer/Ingress addresses.
 * Only resources whose inputs changed since the last pass are looked at, and only statuses that
 * differ from what the watch last saw are written: a pass after one endpoint change does not
 * recompute 10,000 statuses.
 */
import type { ApplyReport } from '../apply/engine.js';
import type { LastGood } from '../apply/last-good.js';
import { KubeStatusWriter } from '../adapters/kube-status-writer.js';
import type { StatusApi, StatusApiFor } from '../adapters/kube-status-writer.js';
import { refKey } from '../kube/refs.js';
import type { ObjectRef } from '../kube/refs.js';
import type { KubeObject } from '../kube/types.js';
import type { Plan, PlannedResource } from '../plan/plan.js';
import { desiredStatuses } from '../status/resource-status.js';
import type { ServedResource } from '../status/resource-status.js';
import { toHolders } from './holders.js';
import type { Holders } from './holders.js';
import type { Log, StatusSink } from './reconciler.js';

export interface ClusterStatusSinkOptions {
  api: StatusApi | StatusApiFor;
  /** The object as the watch of its cluster last saw it (`ref.cluster`: which cluster; none: the only one). */
  objectOf: (ref: ObjectRef) => KubeObject | undefined;
  log: Log;
  now?: () => Date;
  /**
   * With several clusters: the clusters holding a resource, for statuses that name none (a
   * resource refused before it was matched to a cluster's copy). Undefined with one cluster.
   */
  holders?: Holders;
  /** True once the controller stops: the statuses not written yet are left for the next start. */
  stopped?: () => boolean;
  /** Deadline of one status write (default 10 s, kube-call.ts). */
  timeoutMs?: number;
}

function statusOf(obj: KubeObject | undefined): Record<string, unknown> | undefined {
  const status = (obj as { status?: unknown } | undefined)?.status;
  return typeof status === 'object' && status !== null ? (status as Record<string, unknown>) : undefined;
}

export class ClusterStatusSink implements StatusSink {
  private readonly writer: KubeStatusWriter;
  /** What each resource's status was last computed from (by `kind/ns/name/cluster`). */
  private seen = new Map<string, Seen>();

  constructor(private readonly options: ClusterStatusSinkOptions) {
    this.writer = new KubeStatusWriter({
      api: options.api,
      current: (ref) => statusOf(options.objectOf(ref)),
      ...(options.stopped ? { stopped: options.stopped } : {}),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      onError: (ref, err) => {
        // Not written: looked at again on the next pass, whatever changes.
        this.seen.delete(`${refKey(ref)}/${ref.cluster ?? ''}`);
        if (!err.gone) options.log.warn({ resource: ref }, `status not written: ${err.message}`);
      },
    });
  }

  /** Writes what changed; returns how many statuses were written, found as desired, or failed. */
  async publish(
    plan: Plan,
    report: ApplyReport | undefined,
    kept?: LastGood['kept'],
  ): Promise<{ written: number; skipped: number; failed: number }> {
    const now = (this.options.now ?? (() => new Date()))().toISOString();
    // Not confirmed by the BIG-IP and no reason given for a resource: its status is Pending.
    const pending = report === undefined || (!report.inSync && report.problems.length === 0);
    const problems = byResource(plan.diagnostics, (d) => [d.ref]);
    const refused = byResource(report?.problems ?? [], (p) => p.sources);
    const changed = this.changedResources(plan, problems, refused, pending);
    const keys = new Set(changed.map((r) => refKey(r.ref)));
    // Refused resources without a virtual have no entry among the resources: always looked at (they are few).
    for (const d of plan.diagnostics) if (d.severity === 'error') keys.add(refKey(d.ref));
    const statuses = desiredStatuses({
      resources: changed,
      now,
      pending,
      problems: plan.diagnostics.filter((d) => keys.has(refKey(d.ref))),
      applyProblems: (report?.problems ?? []).filter((p) => p.sources.some((ref) => keys.has(refKey(ref)))),
      previous: (ref) => statusOf(this.options.objectOf(ref)),
      ...(kept ? { kept } : {}),
    });
    const result = await this.writer.write(toHolders(statuses, this.options.holders));
    if (result.written > 0 || result.failed > 0) this.options.log.info({ ...result }, 'statuses written');
    return result;
  }

  /**
   * The resources whose status may differ from the last publish: their addresses, their object (a
   * watch update, our own status write included), their problems or the BIG-IP's verdict changed.
   * Compared by identity or element by element, so a change to one resource costs one status,
   * not one per resource.
   */
  private changedResources(
    plan: Plan,
    problems: Map<string, unknown[]>,
    refused: Map<string, unknown[]>,
    pending: boolean,
  ): ServedResource[] {
    const next = new Map<string, Seen>();
    const changed: ServedResource[] = [];
    for (const resource of plan.resources()) {
      const key = refKey(resource.ref);
      const object = this.options.objectOf(resource.ref);
      const seen: Seen = { resource, object, problems: problems.get(key) ?? NONE, refused: refused.get(key) ?? NONE, pending };
      const id = `${key}/${resource.ref.cluster ?? ''}`;
      next.set(id, seen);
      if (sameSeen(this.seen.get(id), seen)) continue;
      const generation = (object?.metadata as { generation?: unknown } | undefined)?.generation;
      changed.push({ ...resource, ...(typeof generation === 'number' ? { generation } : {}) });
    }
    this.seen = next;
    return changed;
  }
}

interface Seen {
  resource: PlannedResource;
  object: KubeObject | undefined;
  problems: unknown[];
  refused: unknown[];
  pending: boolean;
}

const NONE: unknown[] = [];

function sameList(a: unknown[], b: unknown[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function sameSeen(a: Seen | undefined, b: Seen): boolean {
  return (
    a !== undefined &&
    sameList(a.resource.addresses, b.resource.addresses) &&
    a.object === b.object &&
    a.pending === b.pending &&
    sameList(a.problems, b.problems) &&
    sameList(a.refused, b.refused)
  );
}

/** Items by the `kind/ns/name` of each resource they name (a problem about every copy names no cluster). */
function byResource<T>(items: T[], refs: (item: T) => ObjectRef[]): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    for (const ref of refs(item)) {
      const key = refKey(ref);
      const list = out.get(key);
      if (list) list.push(item);
      else out.set(key, [item]);
    }
  }
  return out;
}
