/**
 * Assembles the live controller (`kube-as3 run`): one ClusterWatch per cluster keeping its
 * ClusterState current, the reconcile loop over them (a ClusterSet with several clusters), the
 * IPAM store (one IPAMAllocation object per instance, in the local cluster), the status sink, and
 * the /healthz /readyz /metrics server. The CLI builds the kubeconfigs and the BIG-IP client; tests
 * pass ones for the fake API server and the fake BIG-IP.
 */
import { EventEmitter } from 'node:events';
import { CoordinationV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import { ApplyEngine } from '../apply/engine.js';
import { KubeEventRecorder, eventApiFor } from '../adapters/kube-event-recorder.js';
import type { EventApi } from '../adapters/kube-event-recorder.js';
import { KubeIpamStore } from '../adapters/kube-ipam-store.js';
import { pooledApiClient } from '../adapters/pooled-connections.js';
import { LeaderElection } from '../adapters/leader-election.js';
import type { LeaderElectionOptions } from '../adapters/leader-election.js';
import { statusApiFor } from '../adapters/kube-status-writer.js';
import type { StatusApi } from '../adapters/kube-status-writer.js';
import type { DeclarationValidator } from '../apply/declaration-validator.js';
import type { As3Api } from '../bigip/as3-api.js';
import type { Config } from '../config/config.js';
import { ClusterSet } from '../inventory/cluster-set.js';
import { ClusterState } from '../inventory/cluster-state.js';
import type { ObjectRef } from '../kube/refs.js';
import type { KnownKind, KubeObject } from '../kube/types.js';
import type { Plan } from '../plan/plan.js';
import { ClusterWatch } from '../watch/cluster-watch.js';
import type { ClusterWatchOptions } from '../watch/cluster-watch.js';
import { startControllerServer } from './http-server.js';
import type { ControllerServer, Readiness } from './http-server.js';
import { ControllerMetrics } from './metrics.js';
import { Reconciler } from './reconciler.js';
import type { Log, PassRecord, ProblemEvents } from './reconciler.js';
import { ClusterStatusSink } from './status-sink.js';
import { toHolders } from './holders.js';
import type { Holders } from './holders.js';
import { As3Gate } from './as3-gate.js';
import { ClusterProblems, classifyClusterError } from './cluster-problems.js';
import type { WaitFor } from './shutdown.js';

export interface ControllerCluster {
  name: string;
  kubeConfig: KubeConfig;
}

export interface ControllerOptions {
  config: Config;
  /** In the config's order; without multiCluster, the one (local) cluster. */
  clusters: ControllerCluster[];
  /** The namespace of the controller: its IPAMAllocation object lives there. */
  namespace: string;
  bigip: As3Api;
  validators: DeclarationValidator[];
  log: Log;
  /** Port of /healthz /readyz /metrics; undefined: no server. */
  port?: number;
  /** How long to wait for a remote cluster's first list before planning without it (kept as the BIG-IP has it). */
  remoteSyncTimeoutMs?: number;
  /**
   * Deadline of each status write, Event and IPAM read or write (default 10 s, kube-call.ts): a
   * hung API server fails that request (and an IPAM request the pass, which is retried) instead of
   * stalling the pass. Lists have their own (`watch.listTimeoutMs`, default 30 s); leader election
   * uses its renewDeadline.
   */
  apiTimeoutMs?: number;
  /** Watch tuning (tests). */
  watch?: Partial<Omit<ClusterWatchOptions, 'kubeConfig' | 'state' | 'onChange' | 'onError'>>;
  reconciler?: { retryDelayMs?: (attempt: number) => number };
  /**
   * Only the holder of the Lease `kube-as3-<instance>` (in `namespace`) reconciles; the others
   * watch and wait. Undefined: this replica always reconciles (one replica only).
   */
  leaderElection?: Pick<
    LeaderElectionOptions,
    'identity' | 'leaseDurationSeconds' | 'renewDeadlineSeconds' | 'retryPeriodSeconds' | 'now' | 'setTimer'
  >;
  /** How often an unreadable cluster is logged again: first pause, doubling up to the max (default 10 s to 5 min). */
  clusterProblemRepeatMs?: { first?: number; max?: number };
  /** Clock (ms) for the cluster problem log and in-flight posts (tests). */
  now?: () => number;
}

export interface RunningController {
  reconciler: Reconciler;
  metrics: ControllerMetrics;
  server?: ControllerServer;
  /** Emits `pass` (PassRecord, Plan | undefined) after every reconcile pass. */
  events: EventEmitter;
  readiness(): Readiness;
  /**
   * Resolves once the local cluster is listed (remote ones listed or given up on) and the loop
   * runs or competes for the lease; rejects when stopped before that.
   */
  started: Promise<void>;
  /** The AS3 writes sent and not answered yet (what a stop cut short would leave half-known). */
  inFlight(): string[];
  /**
   * Stops in any state: no new AS3 request or status write starts; the pass under way (an AS3
   * post in flight) is awaited, the watches closed, the lease released. Each wait is reported
   * through `waitFor`, so the caller can log it and bound it with a deadline. Idempotent.
   */
  stop(waitFor?: WaitFor): Promise<void>;
}

interface Member {
  name: string;
  kubeConfig: KubeConfig;
  state: ClusterState;
  watch: ClusterWatch;
  status: StatusApi;
  events: EventApi;
}

function withTimeout(promise: Promise<void>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    promise.then(
      () => {
        clearTimeout(timer);
        resolve(true);
      },
      () => {
        clearTimeout(timer);
        resolve(false);
      },
    );
  });
}

/**
 * With several clusters, an Event about a resource without a cluster goes to every cluster holding
 * it. None is recorded once the controller stops.
 */
function routedEvents(stopping: () => boolean, recorder: KubeEventRecorder, holders: Holders | undefined): ProblemEvents {
  return { record: (events) => (stopping() ? Promise.resolve() : recorder.record(toHolders(events, holders))) };
}

/** Waits without telling anyone (tests, and `stop()` without a shutdown). */
export const settle: WaitFor = (_what, promise) =>
  promise.then(
    () => undefined,
    () => undefined,
  );

/** What a stop waits for while a pass runs: its AS3 post in flight, or the rest of the pass. */
export function passDescription(gate: As3Gate): string {
  const posts = gate.inFlight();
  return posts.length > 0 ? `the ${posts.join(' and the ')} to be answered` : 'the reconcile pass under way to finish';
}

/**
 * Ready once a pass has finished against the BIG-IP, and while the latest one did. Whether the
 * BIG-IP holds the whole plan is not readiness (one application the BIG-IP refuses must not take the
 * leader out of service): it is the `kube_as3_in_sync` metric and the resources' statuses.
 */
export function applied(reconciler: Reconciler): Readiness {
  if (reconciler.lastFailure !== undefined) return { ready: false, reason: `the latest reconcile pass failed: ${reconciler.lastFailure}` };
  if (!reconciler.lastReport) return { ready: false, reason: 'no reconcile pass has finished yet' };
  return { ready: true };
}

function localName(config: Config, clusters: ControllerCluster[]): string {
  return config.multiCluster?.localClusterName ?? clusters[0]?.name ?? 'local';
}

/** Starts the controller and resolves once it has listed the clusters and runs (`started`). */
export async function startController(options: ControllerOptions): Promise<RunningController> {
  const running = await launchController(options);
  await running.started;
  return running;
}

/**
 * Starts the controller and resolves as soon as its endpoints serve: the clusters are listed (and
 * the loop started) in the background, `started` says when. It can be stopped from then on, also
 * while a cluster cannot be reached.
 */
export async function launchController(options: ControllerOptions): Promise<RunningController> {
  const { config, log } = options;
  const local = localName(config, options.clusters);
  const events = new EventEmitter();
  const metrics = new ControllerMetrics();
  const servers = new Map(options.clusters.map((c) => [c.name, c.kubeConfig.getCurrentCluster()?.server]));
  const problems = new ClusterProblems({
    log,
    server: (cluster) => servers.get(cluster),
    ...(options.now ? { now: options.now } : {}),
    ...(options.clusterProblemRepeatMs?.first === undefined ? {} : { firstRepeatMs: options.clusterProblemRepeatMs.first }),
    ...(options.clusterProblemRepeatMs?.max === undefined ? {} : { maxRepeatMs: options.clusterProblemRepeatMs.max }),
    onFailure: (cluster, problem) => metrics.clusterFailure(cluster, problem.class),
  });
  // The watches are built before the loop they trigger.
  const loop: { current?: Reconciler } = {};
  const members: Member[] = options.clusters.map((c) => {
    const state = new ClusterState(c.name);
    const watch = new ClusterWatch({
      ...options.watch,
      kubeConfig: c.kubeConfig,
      state,
      namespaces: config.namespaces,
      pods: config.poolMemberType === 'nodeportlocal',
      onChange: () => loop.current?.trigger(),
      // Connection, TLS and authorization failures: one line per cluster, repeated with backoff.
      onError: (kind, error, namespace) => {
        if (classifyClusterError(error).class !== 'other') problems.failed(c.name, kind, error);
        else log.warn({ cluster: c.name, kind, ...(namespace ? { namespace } : {}) }, `watch: ${error.message}`);
      },
      onConnected: () => problems.recovered(c.name),
    });
    return { name: c.name, kubeConfig: c.kubeConfig, state, watch, status: statusApiFor(c.kubeConfig), events: eventApiFor(c.kubeConfig) };
  });
  const byName = new Map(members.map((m) => [m.name, m]));
  const localMember = byName.get(local) ?? (members[0] as Member);
  const unreadable = (): string[] => members.filter((m) => !m.watch.health().synced).map((m) => m.name);
  const source = (): ClusterState | ClusterSet => {
    if (!config.multiCluster) return localMember.state;
    const reasons = new Map(unreadable().map((name) => [name, 'its watches have not listed it yet']));
    return ClusterSet.fromConfig(config.multiCluster, new Map(members.map((m) => [m.name, m.state])), reasons);
  };
  const holders: Holders | undefined = config.multiCluster
    ? (ref) => members.filter((m) => m.state.get(ref.kind as KnownKind, ref.namespace, ref.name) !== undefined).map((m) => m.name)
    : undefined;
  const objectOf = (ref: ObjectRef): KubeObject | undefined =>
    (byName.get(ref.cluster ?? local) ?? localMember).state.get(ref.kind as KnownKind, ref.namespace, ref.name);
  const apiTimeout = options.apiTimeoutMs === undefined ? {} : { timeoutMs: options.apiTimeoutMs };
  const ipam =
    Object.keys(config.ipam.ranges).length === 0
      ? undefined
      : new KubeIpamStore({
          api: pooledApiClient(localMember.kubeConfig, CustomObjectsApi),
          namespace: options.namespace,
          name: `kube-as3-${config.as3.instance}`,
          instance: config.as3.instance,
          ...apiTimeout,
        });
  const gate = new As3Gate(options.bigip, options.now);
  let stopping = false;
  const engine = new ApplyEngine({
    api: gate,
    instance: config.as3.instance,
    schemaVersion: config.as3.schemaVersion,
    validators: options.validators,
    onEvent: (e) => metrics.apply(e),
  });
  const reconciler = new Reconciler({
    config,
    source,
    engine,
    log,
    unreadable,
    ...(ipam ? { ipam } : {}),
    ...options.reconciler,
    status: new ClusterStatusSink({
      api: (cluster) => byName.get(cluster ?? local)?.status,
      objectOf,
      log,
      stopped: () => stopping,
      ...(holders ? { holders } : {}),
      ...apiTimeout,
    }),
    events: routedEvents(
      () => stopping,
      new KubeEventRecorder({
        api: (cluster) => byName.get(cluster ?? local)?.events,
        objectOf,
        instance: config.as3.instance,
        ...apiTimeout,
        onError: (ref, err) => log.warn({ resource: ref }, err.message),
      }),
      holders,
    ),
    onPass: (record: PassRecord, plan: Plan | undefined) => {
      metrics.pass(record, plan);
      metrics.clusters(members.map((m) => ({ cluster: m.name, synced: m.watch.health().synced, restarts: m.watch.health().restarts })));
      events.emit('pass', record, plan);
    },
  });
  loop.current = reconciler;
  const election =
    options.leaderElection === undefined
      ? undefined
      : new LeaderElection({
          ...options.leaderElection,
          api: pooledApiClient(localMember.kubeConfig, CoordinationV1Api),
          namespace: options.namespace,
          name: `kube-as3-${config.as3.instance}`,
          onStartedLeading: () => {
            log.info({ identity: options.leaderElection?.identity }, 'leading: reconciling');
            reconciler.resume();
          },
          onStoppedLeading: async (reason) => {
            log.warn({ reason }, 'not leading any more: standing by');
            reconciler.pause();
            await reconciler.idle();
          },
          onError: (err) => log.warn({}, `leader election: ${err.message}`),
        });
  if (election) reconciler.pause();
  const readiness = (): Readiness => {
    if (stopping) return { ready: false, reason: 'the controller is stopping' };
    const waiting = unreadable();
    if (waiting.length > 0) {
      const why = waiting.map(
        (name) =>
          `cluster ${name} not listed yet${problems.reason(name) ? `: ${problems.reason(name) ?? ''} (${servers.get(name) ?? 'no server'})` : ''}`,
      );
      return { ready: false, reason: why.join('; ') };
    }
    // A standby replica is ready: it only has to be able to take over.
    if (election && !election.leading) return { ready: true };
    return applied(reconciler);
  };
  const server =
    options.port === undefined ? undefined : await startControllerServer({ port: options.port, registry: metrics.registry, readiness });

  // The local cluster must be read before anything is planned; other clusters get a bounded wait,
  // then the plan keeps what the BIG-IP has from them until they list.
  const start = async (): Promise<void> => {
    const notStarted = (): Error => new Error('the controller stopped before it started');
    const listing = performance.now();
    const timed = (m: Member): Promise<void> => m.watch.start().then(() => metrics.listed(m.name, performance.now() - listing));
    const localListed = timed(localMember);
    await localListed;
    if (stopping) throw notStarted();
    const remote = members.filter((m) => m !== localMember);
    const listed = await Promise.all(remote.map((m) => withTimeout(timed(m), options.remoteSyncTimeoutMs ?? 30_000)));
    if (stopping) throw notStarted();
    remote.forEach((m, i) => {
      if (!listed[i]) log.warn({ cluster: m.name }, 'cluster not listed in time: planning without it, keeping what the BIG-IP has from it');
    });
    if (election) {
      log.info(
        { clusters: members.map((m) => m.name), listMs: Math.round(performance.now() - listing) },
        'watching; waiting for the leader lease',
      );
      election.start();
    } else {
      log.info({ clusters: members.map((m) => m.name), listMs: Math.round(performance.now() - listing) }, 'watching; first reconcile');
      reconciler.trigger();
    }
  };
  const started = start();
  // Stopping before the first list rejects `started`; that is for whoever awaits it, not an unhandled error.
  started.catch(() => undefined);

  const stopAll = async (waitFor: WaitFor): Promise<void> => {
    stopping = true;
    reconciler.stop();
    gate.close();
    const watches = Promise.all(members.map((m) => m.watch.stop()));
    await Promise.all([
      reconciler.busy ? waitFor(passDescription(gate), reconciler.idle()) : undefined,
      waitFor(`the watches of cluster ${members.map((m) => m.name).join(', ')} to close`, watches),
    ]);
    // After the pass: releasing the lease lets a standby replica take over at once.
    if (election) await waitFor(`the release of the leader lease ${options.namespace}/kube-as3-${config.as3.instance}`, election.stop());
    await server?.close();
  };
  let stopped: Promise<void> | undefined;
  return {
    reconciler,
    metrics,
    events,
    readiness,
    started,
    ...(server ? { server } : {}),
    inFlight: () => gate.inFlight(),
    stop: (waitFor = settle) => (stopped ??= stopAll(waitFor)),
  };
}
