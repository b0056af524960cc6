/**
 * After each pass, each resource's status goes to its cluster (SPEC §8): the address it got, Ok or
 * the reason it was refused (by kube-as3 or by the BIG-IP), and LoadBalancer/Ingress addresses.
 * Only statuses that differ from what the watch last saw are written.
 */
import type { ApplyReport } from '../apply/engine.js';
import { KubeStatusWriter } from '../adapters/kube-status-writer.js';
import type { StatusApi, StatusApiFor } from '../adapters/kube-status-writer.js';
import type { ObjectRef } from '../kube/refs.js';
import type { KubeObject } from '../kube/types.js';
import type { Plan } from '../plan/planner.js';
import { desiredStatuses } from '../status/resource-status.js';
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
}

function statusOf(obj: KubeObject | undefined): Record<string, unknown> | undefined {
  const status = (obj as { status?: unknown } | undefined)?.status;
  return typeof status === 'object' && status !== null ? (status as Record<string, unknown>) : undefined;
}

export class ClusterStatusSink implements StatusSink {
  private readonly writer: KubeStatusWriter;

  constructor(private readonly options: ClusterStatusSinkOptions) {
    this.writer = new KubeStatusWriter({
      api: options.api,
      current: (ref) => statusOf(options.objectOf(ref)),
      onError: (ref, err) => {
        if (!err.gone) options.log.warn({ resource: ref }, `status not written: ${err.message}`);
      },
    });
  }

  async publish(plan: Plan, report: ApplyReport | undefined): Promise<void> {
    const now = (this.options.now ?? (() => new Date()))().toISOString();
    const resources = plan.resources().map((r) => {
      const generation = (this.options.objectOf(r.ref)?.metadata as { generation?: unknown } | undefined)?.generation;
      return { ...r, ...(typeof generation === 'number' ? { generation } : {}) };
    });
    // Not confirmed by the BIG-IP and no reason given for a resource: its status is Pending.
    const pending = report === undefined || (!report.inSync && report.problems.length === 0);
    const statuses = desiredStatuses({
      resources, problems: plan.diagnostics, applyProblems: report?.problems ?? [], pending, now,
      previous: (ref) => statusOf(this.options.objectOf(ref)),
    });
    const result = await this.writer.write(toHolders(statuses, this.options.holders));
    if (result.written > 0 || result.failed > 0) this.options.log.info({ ...result }, 'statuses written');
  }
}

