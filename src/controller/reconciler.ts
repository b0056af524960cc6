/**
 * The live controller's loop (docs/controller.md-§9, `kube-as3 run`): on every change the watches report,
 * plan the clusters' current state, keep new IPAM allocations in the store (compare-and-swap; on a
 * lost race, re-plan on what the other writer stored), bring the BIG-IP to the plan, free the
 * addresses the BIG-IP no longer uses, and report each resource's status. Passes never overlap:
 * changes that arrive during a pass trigger one more pass after it, however many there were.
 * A failed pass (BIG-IP unreachable, store refusing) is retried with backoff; nothing on the BIG-IP
 * is deleted because of it, since only a successful plan of readable clusters is ever applied.
 */
import { desiredAgainstDevice, describeLastGood, keptAddresses, notKept, recordedLastGood } from '../apply/last-good.js';
import type { LastGood } from '../apply/last-good.js';
import type { ApplyEngine, ApplyReport } from '../apply/engine.js';
import { BigipError } from '../bigip/as3-api.js';
import type { Config } from '../config/config.js';
import type { ClusterSet } from '../inventory/cluster-set.js';
import type { ClusterState } from '../inventory/cluster-state.js';
import { commitReleasesWithStore } from '../ipam/store.js';
import type { IpamStore } from '../ipam/store.js';
import { refKey } from '../kube/refs.js';
import type { ObjectRef } from '../kube/refs.js';
import { formatDiagnostic } from '../kube/diagnostic.js';
import { backoffDelay } from '../lib/backoff.js';
import type { BackoffPolicy } from '../lib/backoff.js';
import { Planner } from '../plan/planner.js';
import { releasable } from '../plan/plan.js';
import type { Plan } from '../plan/plan.js';
import { PhaseClock } from './pass-phases.js';
import type { PhaseTimes } from './pass-phases.js';

/** The pino subset the loop uses (tests pass a recorder). */
export interface Log {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Where resource statuses go after each pass (status-sink.ts writes them to the clusters). */
export interface StatusSink {
  /** `kept`: the invalid resources whose last good version the BIG-IP keeps. */
  publish(plan: Plan, report: ApplyReport | undefined, kept?: LastGood['kept']): Promise<unknown>;
}

/** Where new problems go as Kubernetes Events (kube-event-recorder.ts). */
export interface ProblemEvents {
  record(events: Array<{ ref: ObjectRef; reason: string; message: string }>): Promise<void>;
}

/** What the metrics record per pass. */
export interface PassRecord {
  ms: number;
  translated: number;
  inSync: boolean;
  posts: number;
  errors: number;
  warnings: number;
  failure?: string;
  /** Where the pass spent its time (ms per phase). */
  phases?: PhaseTimes;
}

export interface ReconcilerOptions {
  config: Config;
  /** The clusters as the watches keep them (the same objects every time). */
  source: () => ClusterState | ClusterSet;
  engine: ApplyEngine;
  ipam?: IpamStore;
  status?: StatusSink;
  events?: ProblemEvents;
  /** Clusters whose state is unknown (never listed): their members and applications on the BIG-IP are kept. */
  unreadable?: () => string[];
  log: Log;
  onPass?: (record: PassRecord, plan: Plan | undefined) => void;
  /** Wait before retrying a failed pass (attempt 1, 2, …); default doubles from 1 s up to 60 s. */
  retryDelayMs?: (attempt: number) => number;
  /** Timers, injectable for tests. */
  setTimer?: (fn: () => void, ms: number) => { cancel(): void };
  now?: () => number;
}

/** How often one pass re-plans after losing an IPAM compare-and-swap before it gives up (and retries later). */
const IPAM_ATTEMPTS = 5;

/** No jitter: one loop per controller, nobody to collide with. */
const RETRY_BACKOFF: BackoffPolicy = { baseMs: 1000, maxMs: 60_000 };

function defaultRetry(attempt: number): number {
  return backoffDelay(attempt, RETRY_BACKOFF);
}

function defaultTimer(fn: () => void, ms: number): { cancel(): void } {
  const handle = setTimeout(fn, ms);
  return { cancel: () => clearTimeout(handle) };
}

export class Reconciler {
  private planner: Planner | undefined;
  private ipamVersion: string | undefined;
  private running: Promise<void> | undefined;
  private dirty = false;
  private failures = 0;
  private retry: { cancel(): void } | undefined;
  /** A pass waiting out `as3.postDelayMs`, and a promise that settles when it starts or is cancelled. */
  private delayed: { timer: { cancel(): void }; started: Promise<void>; settle: () => void } | undefined;
  private reported = new Set<string>();
  private refused = new Set<string>();
  private stopped = false;
  private paused = false;
  /** The latest plan (for readiness and tests). */
  lastPlan: Plan | undefined;
  lastReport: ApplyReport | undefined;
  /** Why the latest pass failed (the BIG-IP or the API server could not be used); undefined after a pass that finished. */
  lastFailure: string | undefined;
  /** What the latest pass kept of invalid resources. */
  lastKept: LastGood | undefined;

  constructor(private readonly options: ReconcilerOptions) {}

  /**
   * Reads the BIG-IP's declaration (what is ours, what it holds: unreadable clusters keep their
   * part of it) and the stored IPAM allocations; the first pass plans on them.
   */
  async init(): Promise<void> {
    await this.options.engine.connect();
    const loaded = await this.options.ipam?.load();
    this.ipamVersion = loaded?.version;
    this.planner = new Planner(this.options.config, loaded ? { ipamState: loaded.state } : {});
  }

  /**
   * Something changed: run a pass now, or right after the one running. With `as3.postDelayMs`
   * (CIS's `--as3-post-delay`) the pass starts that long after the first change, so a burst of
   * changes (a rollout, a `kubectl apply` of many files) becomes one post.
   */
  trigger(): void {
    if (this.stopped || this.paused) return;
    if (this.running) {
      this.dirty = true;
      return;
    }
    if (this.delayed) return;
    const delay = this.options.config.as3.postDelayMs;
    if (delay > 0) {
      let settle = (): void => undefined;
      const started = new Promise<void>((resolve) => (settle = resolve));
      const timer = (this.options.setTimer ?? defaultTimer)(() => {
        this.delayed = undefined;
        settle();
        this.startPass();
      }, delay);
      this.delayed = { timer, started, settle };
      return;
    }
    this.startPass();
  }

  private startPass(): void {
    if (this.stopped || this.paused || this.running) return;
    this.retry?.cancel();
    this.retry = undefined;
    this.running = this.loop().finally(() => {
      this.running = undefined;
    });
  }

  private cancelDelayed(): void {
    this.delayed?.timer.cancel();
    this.delayed?.settle();
    this.delayed = undefined;
  }

  /** Whether a pass is running now. */
  get busy(): boolean {
    return this.running !== undefined;
  }

  /** Resolves once no pass runs and none is due (a pass waiting out postDelayMs is due; a scheduled retry is not). */
  async idle(): Promise<void> {
    while (this.running || this.delayed) await (this.running ?? this.delayed?.started);
  }

  stop(): void {
    this.stopped = true;
    this.retry?.cancel();
    this.cancelDelayed();
  }

  /**
   * Leadership lost: no more passes (the new leader owns the BIG-IP and the IPAM store). A pass
   * running now finishes; `idle()` waits for it.
   */
  pause(): void {
    this.paused = true;
    this.retry?.cancel();
    this.retry = undefined;
    this.cancelDelayed();
  }

  /**
   * Leadership (re)gained: the next pass starts afresh (the BIG-IP's declaration and the stored
   * allocations read again, since another leader may have changed them) and runs at once.
   */
  resume(): void {
    this.paused = false;
    this.planner = undefined;
    this.reported.clear();
    this.refused.clear();
    this.trigger();
  }

  private async loop(): Promise<void> {
    do {
      this.dirty = false;
      const ok = await this.guardedPass();
      if (!ok) {
        this.scheduleRetry();
        return;
      }
    } while (this.dirty && !this.stopped && !this.paused);
  }

  private scheduleRetry(): void {
    // Stopping: no retry, and no timer to keep the process alive.
    if (this.stopped) return;
    this.failures++;
    const delay = (this.options.retryDelayMs ?? defaultRetry)(this.failures);
    this.retry = (this.options.setTimer ?? defaultTimer)(() => this.startPass(), delay);
  }

  /** One pass; false when it failed and must be retried. Never throws. */
  private async guardedPass(): Promise<boolean> {
    const now = this.options.now ?? Date.now;
    const started = now();
    const clock = new PhaseClock();
    try {
      const { plan, report } = await this.pass(clock);
      this.failures = 0;
      this.lastFailure = undefined;
      this.record(plan, report, now() - started, clock.times());
      return true;
    } catch (err) {
      const failure = err instanceof BigipError ? `BIG-IP: ${err.message}` : (err as Error).message;
      this.lastFailure = failure;
      if (this.stopped)
        this.options.log.warn({ failure }, 'reconcile pass cut short: the controller is stopping; the next start reads the BIG-IP back');
      else this.options.log.error({ failure }, 'reconcile failed; nothing was deleted, and the pass is retried');
      this.options.onPass?.(
        { ms: now() - started, translated: 0, inSync: false, posts: 0, errors: 0, warnings: 0, failure, phases: clock.times() },
        this.lastPlan,
      );
      return false;
    }
  }

  private record(plan: Plan, report: ApplyReport, ms: number, phases: PhaseTimes): void {
    const errors = plan.diagnostics.filter((d) => d.severity === 'error').length;
    this.options.onPass?.(
      {
        ms,
        translated: plan.translated,
        inSync: report.inSync,
        posts: report.posts,
        errors,
        warnings: plan.diagnostics.length - errors,
        phases,
      },
      plan,
    );
    if (report.posts > 0 || !report.inSync) {
      this.options.log.info(
        { applied: report.applied, posts: report.posts, inSync: report.inSync, translated: plan.translated, ms, phases },
        'BIG-IP updated',
      );
    }
    for (const problem of report.problems) {
      this.options.log.error({ tenant: problem.tenant, application: problem.application, resources: problem.sources }, problem.message);
    }
  }

  private async pass(clock: PhaseClock): Promise<{ plan: Plan; report: ApplyReport }> {
    if (!this.planner) await clock.time('connect', () => this.init());
    const plan = await this.planWithIpam(clock);
    const unreadable = this.options.unreadable?.() ?? [];
    // Invalid resources keep what the BIG-IP holds of them (read back from the device after a restart).
    const { tenants, lastGood } = clock.timeSync('plan', () => desiredAgainstDevice(plan, this.options.engine.appliedTenants, unreadable));
    const appeared = clock.timeSync('plan', () => this.logProblems(plan, lastGood));
    const timing = (phase: 'validate' | 'post', ms: number): void => clock.add(phase, ms);
    const report = await this.options.engine.apply({ tenants, sourcesOf: (t, a) => plan.sourcesOf(t, a), timing });
    this.lastPlan = plan;
    this.lastReport = report;
    this.lastKept = lastGood;
    if (report.inSync) await clock.time('release', () => this.releaseAddresses(plan, keptAddresses(lastGood)));
    await clock.time('status', async () => this.options.status?.publish(plan, report, lastGood.kept));
    await clock.time('events', async () => this.options.events?.record([...appeared, ...this.newApplyProblems(report)]));
    return { plan, report };
  }

  /** A plan whose new allocations are stored; after a lost compare-and-swap, re-planned on the stored ones. */
  private async planWithIpam(clock: PhaseClock): Promise<Plan> {
    const planner = this.planner as Planner;
    const store = this.options.ipam;
    for (let attempt = 0; attempt < IPAM_ATTEMPTS; attempt++) {
      const plan = clock.timeSync('plan', () => {
        const first = planner.plan(this.options.source());
        // Invalid resources this planner never saw valid: their last good version as the BIG-IP recorded it.
        return planner.seedLastGood(recordedLastGood(this.options.engine.appliedTenants, notKept(first)))
          ? planner.plan(this.options.source())
          : first;
      });
      if (!store || !plan.ipam?.changed) return plan;
      const state = plan.ipam.state;
      const saved = await clock.time('ipam', () => store.save(state, this.ipamVersion));
      if (saved.ok) {
        this.ipamVersion = saved.version;
        return plan;
      }
      const fresh = await clock.time('ipam', () => store.load());
      this.ipamVersion = fresh.version;
      planner.replaceIpamState(fresh.state);
    }
    throw new Error(`IPAM: another writer kept changing the stored allocations (${IPAM_ATTEMPTS} attempts); retrying later`);
  }

  /** The BIG-IP holds the plan: addresses it no longer uses become free (in the store first). */
  private async releaseAddresses(plan: Plan, inUse: ReadonlySet<string>): Promise<void> {
    const planner = this.planner as Planner;
    const releasing = releasable(plan.ipam?.state ?? { allocations: {}, releasing: {} }, inUse);
    if (Object.keys(releasing).length === 0) return;
    if (!this.options.ipam) {
      planner.releaseUnusedAddresses(inUse);
      return;
    }
    await commitReleasesWithStore(this.options.ipam, IPAM_ATTEMPTS, releasing);
    // State and version from one read, so the next compare-and-swap is against what the planner holds.
    const fresh = await this.options.ipam.load();
    this.ipamVersion = fresh.version;
    planner.replaceIpamState(fresh.state);
  }

  /**
   * Logs each problem once when it appears, and says when it is gone. Returns the errors, and the
   * warnings that ask for an Event (`Diagnostic.event`), that appeared in this pass (an Event each).
   */
  private logProblems(plan: Plan, lastGood: LastGood): Array<{ ref: ObjectRef; reason: string; message: string }> {
    const now = new Set<string>();
    const appeared: Array<{ ref: ObjectRef; reason: string; message: string }> = [];
    const keptNote = (ref: ObjectRef): string => {
      const kept = lastGood.kept.get(refKey(ref));
      return kept ? `; the BIG-IP keeps the last good version (${kept.version})` : '';
    };
    for (const line of describeLastGood(lastGood)) {
      now.add(line);
      if (!this.reported.has(line)) this.options.log.warn({}, line);
    }
    for (const d of plan.diagnostics) {
      const line = formatDiagnostic(d);
      now.add(line);
      if (this.reported.has(line)) continue;
      const fields = { resource: d.ref, ...(d.field ? { field: d.field } : {}) };
      if (d.severity === 'error') {
        this.options.log.error(fields, line);
        appeared.push({
          ref: d.ref,
          reason: 'InvalidSpec',
          message: `${d.field ? `${d.field}: ${d.message}` : d.message}${keptNote(d.ref)}`,
        });
      } else {
        this.options.log.warn(fields, line);
        if (d.event !== undefined) appeared.push({ ref: d.ref, reason: d.event, message: `${d.field ? `${d.field}: ` : ''}${d.message}` });
      }
    }
    for (const line of this.reported) if (!now.has(line)) this.options.log.info({}, `resolved: ${line}`);
    this.reported = now;
    return appeared;
  }

  /** The BIG-IP's refusals not reported in the previous pass, once per resource they name. */
  private newApplyProblems(report: ApplyReport): Array<{ ref: ObjectRef; reason: string; message: string }> {
    const now = new Set<string>();
    const appeared: Array<{ ref: ObjectRef; reason: string; message: string }> = [];
    for (const problem of report.problems) {
      for (const ref of problem.sources) {
        const key = `${refKey(ref)}/${ref.cluster ?? ''}\n${problem.message}`;
        now.add(key);
        if (!this.refused.has(key)) appeared.push({ ref, reason: 'ApplyFailed', message: `the BIG-IP refused it: ${problem.message}` });
      }
    }
    this.refused = now;
    return appeared;
  }
}
