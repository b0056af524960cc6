/**
 * Prometheus metrics of the live controller (docs/controller.md): reconcile duration and results, AS3 posts
 * by tenant and result, resources by state, per-cluster watch health, and IPAM usage. One registry
 * per controller (not prom-client's global one), so tests and several controllers in one process
 * do not mix their numbers.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ApplyEvent } from '../apply/engine.js';
import type { Plan, PlannedResource } from '../plan/plan.js';
import type { PassRecord } from './reconciler.js';

export interface ClusterHealth {
  cluster: string;
  synced: boolean;
  restarts: number;
  /** Seconds since the last event or list, when known. */
  idleSeconds?: number;
}

export class ControllerMetrics {
  readonly registry = new Registry();
  private readonly reconcileSeconds = new Histogram({
    name: 'kube_as3_reconcile_duration_seconds',
    help: 'Time of one reconcile pass (plan, IPAM, apply, status).',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  private readonly phaseSeconds = new Histogram({
    name: 'kube_as3_reconcile_phase_seconds',
    help: 'Time of each phase of a reconcile pass: connect (BIG-IP read-back), plan, ipam, validate (local schema checks), post (AS3 writes and task waits), release, status, events.',
    labelNames: ['phase'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  private readonly listSeconds = new Gauge({
    name: 'kube_as3_cluster_initial_list_seconds',
    help: "Time from the start of a cluster's watches until every kind was listed.",
    labelNames: ['cluster'],
    registers: [this.registry],
  });
  private readonly reconciles = new Counter({
    name: 'kube_as3_reconciles_total',
    help: 'Reconcile passes by result (in_sync, partial, failed).',
    labelNames: ['result'],
    registers: [this.registry],
  });
  private readonly inSync = new Gauge({
    name: 'kube_as3_in_sync',
    help: '1 when the latest reconcile pass left the BIG-IP holding the whole plan, 0 when it did not or failed.',
    registers: [this.registry],
  });
  private readonly translated = new Counter({
    name: 'kube_as3_applications_translated_total',
    help: 'Applications translated (the rest were reused unchanged).',
    registers: [this.registry],
  });
  private readonly postSeconds = new Histogram({
    name: 'kube_as3_as3_post_duration_seconds',
    help: 'Time of one AS3 write, by endpoint and result.',
    labelNames: ['endpoint', 'result'],
    buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    registers: [this.registry],
  });
  private readonly tenantResults = new Counter({
    name: 'kube_as3_tenant_apply_total',
    help: 'Tenant writes by tenant and result (applied, failed).',
    labelNames: ['tenant', 'result'],
    registers: [this.registry],
  });
  private readonly resources = new Gauge({
    name: 'kube_as3_resources',
    help: 'Resources of the latest plan by state (ok: translated; error: rejected; warning: translated with warnings).',
    labelNames: ['state'],
    registers: [this.registry],
  });
  private readonly clusterSynced = new Gauge({
    name: 'kube_as3_cluster_watch_synced',
    help: '1 when every watch of the cluster has listed and is current.',
    labelNames: ['cluster'],
    registers: [this.registry],
  });
  private readonly clusterRestarts = new Gauge({
    name: 'kube_as3_cluster_watch_restarts',
    help: 'Watch restarts since start, per cluster.',
    labelNames: ['cluster'],
    registers: [this.registry],
  });
  private readonly clusterFailures = new Counter({
    name: 'kube_as3_cluster_watch_failures_total',
    help: 'Failed lists and watches per cluster, by reason (refused, dns, timeout, reset, certificate, unauthorized, forbidden, http).',
    labelNames: ['cluster', 'reason'],
    registers: [this.registry],
  });
  private readonly ipamAllocated = new Gauge({
    name: 'kube_as3_ipam_addresses_allocated',
    help: 'IPAM addresses allocated per label.',
    labelNames: ['label'],
    registers: [this.registry],
  });
  private readonly ipamCapacity = new Gauge({
    name: 'kube_as3_ipam_addresses_capacity',
    help: 'IPAM addresses in the ranges of each label.',
    labelNames: ['label'],
    registers: [this.registry],
  });

  private served: { resources: PlannedResource[]; keys: Set<string> } | undefined;

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'kube_as3_' });
  }

  pass(record: PassRecord, plan: Plan | undefined): void {
    this.reconcileSeconds.observe(record.ms / 1000);
    for (const [phase, ms] of Object.entries(record.phases ?? {})) this.phaseSeconds.observe({ phase }, ms / 1000);
    this.reconciles.inc({ result: record.failure ? 'failed' : record.inSync ? 'in_sync' : 'partial' });
    this.inSync.set(!record.failure && record.inSync ? 1 : 0);
    this.translated.inc(record.translated);
    if (!plan) return;
    const rejected = new Set<string>();
    const warned = new Set<string>();
    for (const d of plan.diagnostics)
      (d.severity === 'error' ? rejected : warned).add(`${d.ref.kind}/${d.ref.namespace}/${d.ref.name}/${d.ref.cluster ?? ''}`);
    const served = this.servedKeys(plan);
    this.resources.set({ state: 'error' }, rejected.size);
    this.resources.set({ state: 'warning' }, [...warned].filter((k) => !rejected.has(k)).length);
    const flagged = new Set([...rejected, ...warned].filter((k) => served.has(k)));
    this.resources.set({ state: 'ok' }, served.size - flagged.size);
    for (const u of plan.ipam?.usage ?? []) {
      this.ipamAllocated.set({ label: u.label }, u.allocated);
      // IPv6 ranges can exceed what a float holds exactly; the gauge is for alerting, not accounting.
      this.ipamCapacity.set({ label: u.label }, Number(u.capacity));
    }
  }

  /** Keys of the plan's resources; the list only changes with a regrouping, so the set is kept for it. */
  private servedKeys(plan: Plan): Set<string> {
    const resources = plan.resources();
    if (this.served?.resources !== resources) {
      this.served = {
        resources,
        keys: new Set(resources.map((r) => `${r.ref.kind}/${r.ref.namespace}/${r.ref.name}/${r.ref.cluster ?? ''}`)),
      };
    }
    return this.served.keys;
  }

  apply(event: ApplyEvent): void {
    if (event.type === 'post') this.postSeconds.observe({ endpoint: event.endpoint, result: event.status }, event.ms / 1000);
    else if (event.type === 'tenant') this.tenantResults.inc({ tenant: event.tenant, result: event.result });
  }

  /** A list or watch of `cluster` failed for a reason kube-as3 recognises (connection refused, 401, ...). */
  clusterFailure(cluster: string, reason: string): void {
    this.clusterFailures.inc({ cluster, reason });
  }

  /** The cluster's first list took `ms`. */
  listed(cluster: string, ms: number): void {
    this.listSeconds.set({ cluster }, ms / 1000);
  }

  clusters(health: ClusterHealth[]): void {
    for (const h of health) {
      this.clusterSynced.set({ cluster: h.cluster }, h.synced ? 1 : 0);
      this.clusterRestarts.set({ cluster: h.cluster }, h.restarts);
    }
  }
}
