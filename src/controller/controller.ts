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
import { LeaderElection } from '../adapters/leader-election.js';
import type { LeaderElectionOptions } from '../adapters/leader-election.js';
import { statusApiFor } from '../adapters/kube-status-writer.js';
import type { StatusApi } from '../adapters/kube-status-writer.js';
import type { DeclarationValidator } from '../adapters/schema-validator.js';
import type { As3Api } from '../bigip/as3-api.js';
import type { Config } from '../config/config.js';
import type { IpamStore } from '../ipam/store.js';
import { ClusterSet } from '../inventory/cluster-set.js';
import { ClusterState } from '../inventory/cluster-state.js';
import type { ObjectRef } from '../kube/refs.js';
import type { KnownKind, KubeObject } from '../kube/types.js';
import type { Plan } from '../plan/planner.js';
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
import { ManifestSource } from './manifest-source.js';

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
  /** Watch tuning (tests). */
  watch?: Partial<Omit<ClusterWatchOptions, 'kubeConfig' | 'state' | 'onChange' | 'onError'>>;
  reconciler?: { retryDelayMs?: (attempt: number) => number };
  /**
   * Only the holder of the Lease `kube-as3-<instance>` (in `namespace`) reconciles; the others
   * watch and wait. Undefined: this replica always reconciles (one replica only).
   */
  leaderElection?: Pick<LeaderElectionOptions, 'identity' | 'leaseDurationSeconds' | 'renewDeadlineSeconds' | 'retryPeriodSeconds' | 'now' | 'setTimer'>;
}

export interface RunningController {
  reconciler: Reconciler;
  metrics: ControllerMetrics;
  server?: ControllerServer;
  /** Emits `pass` (PassRecord, Plan | undefined) after every reconcile pass. */
  events: EventEmitter;
  readiness(): Readiness;
  stop(): Promise<void>;
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
    promise.then(() => {
      clearTimeout(timer);
      resolve(true);
    }, () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
}

/** With several clusters, an Event about a resource without a cluster goes to every cluster holding it. */
function routedEvents(recorder: KubeEventRecorder, holders: Holders | undefined): ProblemEvents {
  return { record: (events) => recorder.record(toHolders(events, holders)) };
}

/** Ready once a pass has brought the BIG-IP to the whole plan. */
function applied(reconciler: Reconciler): Readiness {
  const report = reconciler.lastReport;
  if (!report) return { ready: false, reason: 'no reconcile pass has finished yet' };
  return report.inSync ? { ready: true } : { ready: false, reason: 'the BIG-IP does not hold the whole plan yet' };
}

function localName(config: Config, clusters: ControllerCluster[]): string {
  return config.multiCluster?.localClusterName ?? clusters[0]?.name ?? 'local';
}

export async function startController(options: ControllerOptions): Promise<RunningController> {
  const { config, log } = options;
  const local = localName(config, options.clusters);
  const events = new EventEmitter();
  const metrics = new ControllerMetrics();
  // The watches are built before the loop they trigger.
  const loop: { current?: Reconciler } = {};
  const members: Member[] = options.clusters.map((c) => {
    const state = new ClusterState(c.name);
    const watch = new ClusterWatch({
      ...options.watch, kubeConfig: c.kubeConfig, state, namespaces: config.namespaces,
      pods: config.poolMemberType === 'nodeportlocal',
      onChange: () => loop.current?.trigger(),
      onError: (kind, error, namespace) => log.warn({ cluster: c.name, kind, ...(namespace ? { namespace } : {}) }, `watch: ${error.message}`),
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
  const objectOf = (ref: ObjectRef): KubeObject | undefined => (byName.get(ref.cluster ?? local) ?? localMember).state.get(ref.kind as KnownKind, ref.namespace, ref.name);
  const ipam = Object.keys(config.ipam.ranges).length === 0 ? undefined : new KubeIpamStore({
    api: localMember.kubeConfig.makeApiClient(CustomObjectsApi), namespace: options.namespace, name: `kube-as3-${config.as3.instance}`, instance: config.as3.instance,
  });
  const engine = new ApplyEngine({ api: options.bigip, instance: config.as3.instance, schemaVersion: config.as3.schemaVersion, validators: options.validators, onEvent: (e) => metrics.apply(e) });
  const reconciler = new Reconciler({
    config, source, engine, log, unreadable, ...(ipam ? { ipam } : {}), ...options.reconciler,
    status: new ClusterStatusSink({ api: (cluster) => byName.get(cluster ?? local)?.status, objectOf, log, ...(holders ? { holders } : {}) }),
    events: routedEvents(new KubeEventRecorder({
      api: (cluster) => byName.get(cluster ?? local)?.events, objectOf, instance: config.as3.instance,
      onError: (ref, err) => log.warn({ resource: ref }, `event not recorded: ${err.message}`),
    }), holders),
    onPass: (record: PassRecord, plan: Plan | undefined) => {
      metrics.pass(record, plan);
      metrics.clusters(members.map((m) => ({ cluster: m.name, synced: m.watch.health().synced, restarts: m.watch.health().restarts })));
      events.emit('pass', record, plan);
    },
  });
  loop.current = reconciler;
  const election = options.leaderElection === undefined ? undefined : new LeaderElection({
    ...options.leaderElection, api: localMember.kubeConfig.makeApiClient(CoordinationV1Api), namespace: options.namespace, name: `kube-as3-${config.as3.instance}`,
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
    const waiting = unreadable();
    if (waiting.length > 0) return { ready: false, reason: `cluster ${waiting.join(', ')} not listed yet` };
    // A standby replica is ready: it only has to be able to take over.
    if (election && !election.leading) return { ready: true };
    return applied(reconciler);
  };
  const server = options.port === undefined ? undefined : await startControllerServer({ port: options.port, registry: metrics.registry, readiness });

  // The local cluster must be read before anything is planned; other clusters get a bounded wait,
  // then the plan keeps what the BIG-IP has from them until they list.
  await localMember.watch.start();
  const remote = members.filter((m) => m !== localMember);
  const started = await Promise.all(remote.map((m) => withTimeout(m.watch.start(), options.remoteSyncTimeoutMs ?? 30_000)));
  remote.forEach((m, i) => {
    if (!started[i]) log.warn({ cluster: m.name }, 'cluster not listed in time: planning without it, keeping what the BIG-IP has from it');
  });
  if (election) {
    log.info({ clusters: members.map((m) => m.name) }, 'watching; waiting for the leader lease');
    election.start();
  } else {
    log.info({ clusters: members.map((m) => m.name) }, 'watching; first reconcile');
    reconciler.trigger();
  }

  return {
    reconciler, metrics, events, readiness, ...(server ? { server } : {}),
    stop: async () => {
      // Releasing the lease lets a standby replica take over at once.
      await election?.stop();
      reconciler.stop();
      await Promise.all(members.map((m) => m.watch.stop()));
      await reconciler.idle();
      await server?.close();
    },
  };
}

export interface ManifestControllerOptions {
  config: Config;
  /** The folder of Kubernetes objects that stands for the cluster. */
  dir: string;
  /** Files in the folder that are not objects (the config file). */
  exclude?: string[];
  bigip: As3Api;
  validators: DeclarationValidator[];
  log: Log;
  /** Where IPAM allocations are kept (the `--ipam-state` file store); undefined: in memory only. */
  ipam?: IpamStore;
  port?: number;
  settleMs?: number;
}

/**
 * `run --manifests DIR`: the same loop over a folder instead of a cluster (no statuses or Events:
 * there is no API server to write them to; no leader election: one process owns the folder).
 */
export async function startManifestController(options: ManifestControllerOptions): Promise<RunningController> {
  const { config, log } = options;
  const events = new EventEmitter();
  const metrics = new ControllerMetrics();
  const loop: { current?: Reconciler } = {};
  const manifests = new ManifestSource({ dir: options.dir, exclude: options.exclude ?? [], log, onChange: () => loop.current?.trigger(), ...(options.settleMs === undefined ? {} : { settleMs: options.settleMs }) });
  const engine = new ApplyEngine({ api: options.bigip, instance: config.as3.instance, schemaVersion: config.as3.schemaVersion, validators: options.validators, onEvent: (e) => metrics.apply(e) });
  const reconciler = new Reconciler({
    config, source: () => manifests.state, engine, log, ...(options.ipam ? { ipam: options.ipam } : {}),
    onPass: (record: PassRecord, plan: Plan | undefined) => {
      metrics.pass(record, plan);
      events.emit('pass', record, plan);
    },
  });
  loop.current = reconciler;
  const readiness = (): Readiness => applied(reconciler);
  const server = options.port === undefined ? undefined : await startControllerServer({ port: options.port, registry: metrics.registry, readiness });
  if (!(await manifests.start())) {
    await server?.close();
    throw new Error(`the manifests in ${options.dir} cannot all be read; fix them and start again`);
  }
  log.info({ dir: options.dir }, 'following the manifests; first reconcile');
  reconciler.trigger();
  return {
    reconciler, metrics, events, readiness, ...(server ? { server } : {}),
    stop: async () => {
      manifests.stop();
      reconciler.stop();
      await reconciler.idle();
      await server?.close();
    },
  };
}
