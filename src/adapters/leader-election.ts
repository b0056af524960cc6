/**
 * Leader election over a coordination.k8s.io/v1 Lease, with the semantics of client-go's
 * leaderelection package, so that of several `kube-as3 run` replicas exactly one posts to the
 * BIG-IP. Two active replicas would each deploy their own view of the cluster and undo each other.
 *
 * Every write is a compare-and-swap: a create (409 AlreadyExists when another replica was first) or
 * a replace carrying the resourceVersion read (409 Conflict when anyone wrote in between). The API
 * server decides every race; no replica trusts its own idea of who holds the lease.
 *
 * Expiry is judged by this replica's own clock only: a lease held by another replica is taken over
 * when this replica has seen the same version of it, unchanged, for longer than its
 * leaseDurationSeconds. The holder's renewTime is written for people (`kubectl get lease`) but is
 * not trusted for expiry, because it was taken from another machine's clock: with renewTime, a
 * replica whose clock runs ahead would take over a lease that is still being renewed. The price, as
 * in client-go, is that a replica that has only just started waits a full lease duration before it
 * takes over the lease of a holder that died earlier.
 *
 * A leader that cannot renew steps down (onStoppedLeading) once renewDeadline has passed since its
 * last successful renewal, which is before any other replica can see the lease expire
 * (renewDeadline < leaseDuration). A timer enforces this even while a renewal request hangs: the
 * client-node 1.4 HTTP client has no timeout of its own, so each step also aborts its requests (kube-call.ts)
 * after renewDeadline.
 */
import { V1MicroTime } from '@kubernetes/client-node';
import type { ConfigurationOptions, CoordinationV1Api, V1Lease, V1LeaseSpec } from '@kubernetes/client-node';
import { isKubeStatus, kubeCall } from './kube-call.js';

export interface LeaderTimer {
  cancel(): void;
}

/** Schedules `fn` once after `ms` milliseconds; tests inject a manual one. */
export type SetLeaderTimer = (fn: () => void, ms: number) => LeaderTimer;

export interface LeaderElectionOptions {
  api: CoordinationV1Api;
  /** the controller's namespace, where the Lease lives */
  namespace: string;
  /** the Lease name, e.g. `kube-as3-<instance>`: one election per controller instance */
  name: string;
  /** this replica, unique among the replicas: the pod name plus a random suffix */
  identity: string;
  /** how long a lease nobody renews stays valid for the other replicas (default 15) */
  leaseDurationSeconds?: number;
  /** how long the leader keeps leading without a successful renewal (default 10; less than the lease duration) */
  renewDeadlineSeconds?: number;
  /** the interval between attempts to acquire, and between renewals (default 2; less than renewDeadline) */
  retryPeriodSeconds?: number;
  /** the local clock (tests inject a manual one) */
  now?: () => Date;
  /** the local timers (tests inject manual ones) */
  setTimer?: SetLeaderTimer;
  /**
   * This replica now holds the lease and may act. Not awaited: a long-running promise (the
   * controller's whole run) must not hold up the renewals.
   */
  onStartedLeading: () => void;
  /**
   * This replica must stop acting at once: it lost the lease, could not renew it in time, or is
   * stopping. The elector keeps competing afterwards (unless stopped) and may lead again later.
   * `stop()` awaits a returned promise before it releases the lease, so the controller can finish
   * what it is sending to the BIG-IP before another replica starts.
   */
  onStoppedLeading: (reason: string) => void | Promise<void>;
  /** A failed request or callback; the election goes on. Default: written to stderr. */
  onError?: (err: Error) => void;
}

export const LEASE_API_VERSION = 'coordination.k8s.io/v1';
export const LEASE_KIND = 'Lease';

/** What one attempt found: we hold the lease, another replica holds it, or a race or a vanished lease left it undecided. */
type Outcome = { held: true } | { held: false; holder?: string };

function positiveSeconds(value: number | undefined, fallback: number, field: string): number {
  const seconds = value ?? fallback;
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw new Error(`leader election: ${field} must be a positive number of seconds, not ${String(value)}`);
  return seconds;
}

/**
 * A time read from a Lease as a MicroTime for writing it back. client-node 1.4 hands MicroTimes back
 * as the strings the server sent; a later version may turn them into Dates. A plain Date would be
 * sent with milliseconds only, which the API server refuses for a MicroTime (it wants six digits).
 */
function asMicroTime(value: unknown): V1MicroTime | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : new V1MicroTime(value.getTime());
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new V1MicroTime(ms);
}

/** The holder named by the lease; an empty holderIdentity (a released lease) is no holder. */
function holderOf(lease: V1Lease): string | undefined {
  const holder = lease.spec?.holderIdentity;
  return typeof holder === 'string' && holder !== '' ? holder : undefined;
}

function isConflict(err: unknown): boolean {
  return isKubeStatus(err, 409);
}

function isNotFound(err: unknown): boolean {
  return isKubeStatus(err, 404);
}

function realTimer(fn: () => void, ms: number): LeaderTimer {
  const handle = setTimeout(fn, ms);
  return { cancel: () => clearTimeout(handle) };
}

export class LeaderElection {
  private readonly api: CoordinationV1Api;
  private readonly namespace: string;
  private readonly name: string;
  private readonly identity: string;
  private readonly leaseDurationSeconds: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly now: () => Date;
  private readonly setTimer: SetLeaderTimer;
  private readonly onStartedLeading: () => void;
  private readonly onStoppedLeading: (reason: string) => void | Promise<void>;
  private readonly onError: (err: Error) => void;

  private isLeading = false;
  /** Local time at which the last successful acquire or renewal was started (its renewTime is no earlier). */
  private lastRenewAt = 0;
  /** The version of the lease last seen and the local time it was first seen: expiry is measured from there. */
  private observed: { version: string; at: number } | undefined;
  /** Steps the leader down when no renewal succeeds within renewDeadline, even while a request hangs. */
  private watchdog: LeaderTimer | undefined;
  private loopTimer: LeaderTimer | undefined;
  private inFlight: { promise: Promise<boolean>; abort: AbortController } | undefined;
  private running = false;
  private stopped = false;

  constructor(options: LeaderElectionOptions) {
    this.api = options.api;
    this.namespace = options.namespace;
    this.name = options.name;
    if (options.identity === '') throw new Error('leader election: identity must not be empty');
    this.identity = options.identity;
    this.leaseDurationSeconds = positiveSeconds(options.leaseDurationSeconds, 15, 'leaseDurationSeconds');
    const renewDeadline = positiveSeconds(options.renewDeadlineSeconds, 10, 'renewDeadlineSeconds');
    const retryPeriod = positiveSeconds(options.retryPeriodSeconds, 2, 'retryPeriodSeconds');
    // The leader must have stopped acting before anyone can see its lease expire, and must get
    // more than one renewal attempt before it gives up.
    if (renewDeadline >= this.leaseDurationSeconds)
      throw new Error('leader election: renewDeadlineSeconds must be less than leaseDurationSeconds');
    if (retryPeriod >= renewDeadline) throw new Error('leader election: retryPeriodSeconds must be less than renewDeadlineSeconds');
    this.renewDeadlineMs = renewDeadline * 1000;
    this.retryPeriodMs = retryPeriod * 1000;
    this.now = options.now ?? (() => new Date());
    this.setTimer = options.setTimer ?? realTimer;
    this.onStartedLeading = options.onStartedLeading;
    this.onStoppedLeading = options.onStoppedLeading;
    this.onError = options.onError ?? ((err) => console.error(err.message));
  }

  /** Whether this replica holds the lease and may act. */
  get leading(): boolean {
    return this.isLeading;
  }

  /** Competes for the lease now and then every retryPeriod; once leading, renews every retryPeriod. */
  start(): void {
    if (this.running || this.stopped) return;
    this.running = true;
    this.schedule(0);
  }

  /**
   * Stops competing for good. A leader first stops acting (onStoppedLeading, awaited), then
   * releases the lease (holder and times cleared) so another replica takes over at once instead of
   * waiting for it to expire. Failures are reported through onError; the lease then simply expires.
   */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.running = false;
    this.loopTimer?.cancel();
    this.loopTimer = undefined;
    if (this.inFlight) {
      this.inFlight.abort.abort();
      await this.inFlight.promise;
    }
    if (this.isLeading) await this.stepDown('the controller is stopping');
    await this.release();
  }

  /**
   * One step of the election: create the lease if missing, renew it if ours, take it over if it has
   * no holder or has expired; then start or stop leading accordingly. Resolves to whether this step
   * acquired or renewed the lease. Never rejects: failures go to onError and count as a failed renewal.
   * A step already under way is joined, not doubled.
   */
  tryAcquireOrRenew(): Promise<boolean> {
    if (this.stopped) return Promise.resolve(false);
    if (this.inFlight) return this.inFlight.promise;
    const abort = new AbortController();
    const timeout = this.setTimer(() => abort.abort(), this.renewDeadlineMs);
    const promise = this.attempt(abort.signal).finally(() => {
      timeout.cancel();
      this.inFlight = undefined;
    });
    this.inFlight = { promise, abort };
    return promise;
  }

  private get where(): string {
    return `${LEASE_KIND} ${this.namespace}/${this.name}`;
  }

  private nowMs(): number {
    return this.now().getTime();
  }

  private schedule(ms: number): void {
    this.loopTimer = this.setTimer(() => {
      this.loopTimer = undefined;
      void this.tick();
    }, ms);
  }

  private async tick(): Promise<void> {
    try {
      await this.tryAcquireOrRenew();
    } catch (err) {
      this.report(err);
    }
    if (this.running) this.schedule(this.retryPeriodMs);
  }

  private async attempt(signal: AbortSignal): Promise<boolean> {
    const started = this.nowMs();
    let outcome: Outcome;
    try {
      outcome = await this.acquireOrRenew(signal);
    } catch (err) {
      if (this.stopped) return false;
      this.report(
        signal.aborted
          ? new Error(`${this.where}: gave up waiting for the API server (renewDeadline ${this.renewDeadlineMs / 1000} s)`, { cause: err })
          : err,
      );
      this.enforceDeadline();
      return false;
    }
    // A step that stop() or the watchdog gave up on changes nothing, even if its write got through.
    if (this.stopped || signal.aborted) return false;
    if (outcome.held) {
      this.renewed(started);
      return true;
    }
    if (this.isLeading && outcome.holder !== undefined) this.stepDown(`${this.where} is now held by ${outcome.holder}`);
    else this.enforceDeadline();
    return false;
  }

  private renewed(started: number): void {
    this.lastRenewAt = started;
    this.watchdog?.cancel();
    const remaining = Math.max(0, this.renewDeadlineMs - (this.nowMs() - started));
    this.watchdog = this.setTimer(() => {
      this.watchdog = undefined;
      if (!this.isLeading || this.stopped) return;
      this.stepDown(`${this.where} could not be renewed within ${this.renewDeadlineMs / 1000} s`);
      this.inFlight?.abort.abort();
    }, remaining);
    if (this.isLeading) return;
    this.isLeading = true;
    this.invoke(() => this.onStartedLeading());
  }

  /** The clock's view of the deadline, for when timers ran late (a stalled event loop). */
  private enforceDeadline(): void {
    if (this.isLeading && this.nowMs() - this.lastRenewAt > this.renewDeadlineMs) {
      this.stepDown(`${this.where} could not be renewed within ${this.renewDeadlineMs / 1000} s`);
    }
  }

  private stepDown(reason: string): Promise<void> {
    this.isLeading = false;
    this.watchdog?.cancel();
    this.watchdog = undefined;
    return this.invoke(() => this.onStoppedLeading(reason));
  }

  /** Runs a callback without letting it throw into the election; a returned promise is settled, not raced. */
  private invoke(callback: () => unknown): Promise<void> {
    try {
      const result = callback();
      if (result instanceof Promise)
        return result.then(
          () => undefined,
          (err: unknown) => this.report(err),
        );
    } catch (err) {
      this.report(err);
    }
    return Promise.resolve();
  }

  private report(err: unknown): void {
    try {
      this.onError(err instanceof Error ? err : new Error(String(err)));
    } catch {
      // onError itself failed: nothing left to tell.
    }
  }

  private async acquireOrRenew(signal: AbortSignal): Promise<Outcome> {
    const current = await this.read(signal);
    if (current !== undefined) return this.judge(current, signal);
    if (await this.create(signal)) return { held: true };
    // Another replica created it between our read and our create: judge what it wrote.
    const winner = await this.read(signal);
    return winner === undefined ? { held: false } : this.judge(winner, signal);
  }

  /** Renews our lease, takes over one without a live holder, or leaves another replica's alone. */
  private async judge(lease: V1Lease, signal: AbortSignal): Promise<Outcome> {
    const holder = holderOf(lease);
    if (holder !== undefined && holder !== this.identity && !this.expired(lease)) return { held: false, holder };
    const spec = lease.spec ?? {};
    const now = new V1MicroTime(this.nowMs());
    const ours = holder === this.identity;
    const next: V1LeaseSpec = {
      ...spec,
      holderIdentity: this.identity,
      leaseDurationSeconds: this.leaseDurationSeconds,
      acquireTime: ours ? (asMicroTime(spec.acquireTime) ?? now) : now,
      renewTime: now,
      leaseTransitions: (spec.leaseTransitions ?? 0) + (ours ? 0 : 1),
    };
    return (await this.replace(lease, next, ours ? 'renew' : 'take over', signal)) ? { held: true } : { held: false };
  }

  /** Unchanged, as seen by this replica, for longer than the duration its holder asked for. */
  private expired(lease: V1Lease): boolean {
    const asked = lease.spec?.leaseDurationSeconds;
    const seconds = typeof asked === 'number' && asked > 0 ? asked : this.leaseDurationSeconds;
    return this.observed !== undefined && this.observed.at + seconds * 1000 < this.nowMs();
  }

  private observe(lease: V1Lease): void {
    const version = lease.metadata?.resourceVersion ?? '';
    if (this.observed?.version !== version) this.observed = { version, at: this.nowMs() };
  }

  /** The lease, or undefined when there is none. */
  private async read(signal: AbortSignal): Promise<V1Lease | undefined> {
    try {
      const lease = await this.call('read', signal, (options) =>
        this.api.readNamespacedLease({ name: this.name, namespace: this.namespace }, options),
      );
      this.observe(lease);
      return lease;
    } catch (err) {
      if (!isNotFound(err)) throw err;
      this.observed = undefined;
      return undefined;
    }
  }

  /** Creates the lease held by us; false when another replica created it first. */
  private async create(signal: AbortSignal): Promise<boolean> {
    const now = new V1MicroTime(this.nowMs());
    const body: V1Lease = {
      apiVersion: LEASE_API_VERSION,
      kind: LEASE_KIND,
      metadata: { name: this.name, namespace: this.namespace },
      spec: {
        holderIdentity: this.identity,
        leaseDurationSeconds: this.leaseDurationSeconds,
        acquireTime: now,
        renewTime: now,
        leaseTransitions: 0,
      },
    };
    try {
      this.observe(
        await this.call('create', signal, (options) => this.api.createNamespacedLease({ namespace: this.namespace, body }, options)),
      );
      return true;
    } catch (err) {
      if (isConflict(err)) return false;
      throw err;
    }
  }

  /**
   * Replaces the lease as read, carrying its resourceVersion; false when anyone wrote it in
   * between (409) or deleted it (404): the race is lost and the next step reads again.
   */
  private async replace(lease: V1Lease, spec: V1LeaseSpec, action: string, signal: AbortSignal): Promise<boolean> {
    const body: V1Lease = { ...lease, apiVersion: LEASE_API_VERSION, kind: LEASE_KIND, spec };
    try {
      this.observe(
        await this.call(action, signal, (options) =>
          this.api.replaceNamespacedLease({ name: this.name, namespace: this.namespace, body }, options),
        ),
      );
      return true;
    } catch (err) {
      if (isConflict(err) || isNotFound(err)) return false;
      throw err;
    }
  }

  /** Clears holder and times of a lease we still hold; a lease someone else holds, or changed meanwhile, is left alone. */
  private async release(): Promise<void> {
    const abort = new AbortController();
    const timeout = this.setTimer(() => abort.abort(), this.renewDeadlineMs);
    try {
      const lease = await this.read(abort.signal);
      if (lease === undefined || holderOf(lease) !== this.identity) return;
      const { holderIdentity: _holder, acquireTime: _acquired, renewTime: _renewed, ...rest } = lease.spec ?? {};
      await this.replace(lease, { ...rest, leaseDurationSeconds: this.leaseDurationSeconds }, 'release', abort.signal);
    } catch (err) {
      this.report(
        abort.signal.aborted
          ? new Error(`${this.where}: cannot release: no answer from the API server within ${this.renewDeadlineMs / 1000} s`, {
              cause: err,
            })
          : err,
      );
    } finally {
      timeout.cancel();
    }
  }

  /**
   * One request through kube-call.ts: aborted by `signal` (this step's renewDeadline timer, on the
   * injectable clock) and, should that timer never fire, by kubeCall's own deadline of the same length.
   */
  private call<T>(action: string, signal: AbortSignal, fn: (options: ConfigurationOptions) => Promise<T>): Promise<T> {
    return kubeCall(`${this.where}: cannot ${action}`, fn, { timeoutMs: this.renewDeadlineMs, signal });
  }
}
