/**
 * `kube-as3 run` (docs/cli.md): the controller. It watches the local cluster (the kubeconfig given, or
 * the in-cluster service account) and, with `multiCluster`, every configured cluster through its
 * kubeconfig file or Secret; keeps the BIG-IP in sync; writes statuses; serves /healthz, /readyz
 * and /metrics; logs JSON lines (pino) on stdout. It stops on SIGTERM/SIGINT.
 */
import { Buffer } from 'node:buffer';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { KUBE_REQUEST_TIMEOUT_MS, kubeCall } from '../adapters/kube-call.js';
import { pino } from 'pino';
import type { DestinationStream, LoggerOptions } from 'pino';
import { redactLogArgument } from '../lib/redact.js';
import type { Config, MultiClusterConfig } from '../config/config.js';
import { importExtendedSpec } from '../config/extended-spec.js';
import { FileIpamStore } from '../adapters/ipam-file-store.js';
import { launchController } from '../controller/controller.js';
import type { ControllerCluster, ControllerOptions, RunningController } from '../controller/controller.js';
import { startManifestController } from '../controller/manifest-controller.js';
import type { Log } from '../controller/reconciler.js';
import { shutDown, stopReason } from '../controller/shutdown.js';
import type { SetShutdownTimer } from '../controller/shutdown.js';
import { validatorsFor } from './schema-check.js';
import { isStraySocketError } from './stray-socket-error.js';
import { connectBigip } from './bigip-connection.js';
import type { BigipFlags } from './bigip-connection.js';
import type { CliIo } from './io.js';
import { EXIT_FATAL, EXIT_OK } from './io.js';
import { loadConfigFile } from './plan-command.js';

export interface RunOptions extends BigipFlags {
  config?: string;
  kubeconfig?: string;
  namespace?: string;
  port?: string;
  /** false with `--no-leader-election` (one replica only). */
  leaderElection?: boolean;
  /** A folder of objects instead of a cluster. */
  manifests?: string;
  ipamState?: string;
}

/** How a stop is bounded: the binary passes its second signal; tests inject the deadline's timer. */
export interface RunStopOptions {
  /** Aborted by a second signal: exit at once. */
  force?: AbortSignal;
  /** Default 10 s. */
  deadlineMs?: number;
  setTimer?: SetShutdownTimer;
}

/** This replica's name in the Lease: the pod's name (HOSTNAME) and a random part, unique per start. */
function identity(): string {
  return `${process.env['HOSTNAME'] ?? hostname()}-${randomBytes(4).toString('hex')}`;
}

/** Log fields that may carry secrets are never written (docs/reference/README.md). */
const REDACT = ['password', 'token', 'authorization', '*.password', '*.token', '*.authorization', 'credentials', '*.credentials'];

function splitRef(ref: string): [string, string] {
  const [namespace = '', name = ''] = ref.split('/');
  return [namespace, name];
}

async function secretKubeConfig(core: CoreV1Api, ref: string): Promise<KubeConfig> {
  const [namespace, name] = splitRef(ref);
  const secret = await kubeCall(`Secret ${ref}: cannot read`, (options) => core.readNamespacedSecret({ namespace, name }, options), {
    timeoutMs: KUBE_REQUEST_TIMEOUT_MS,
  });
  const data = secret.data?.['kubeconfig'];
  if (!data) throw new Error(`Secret ${ref} has no key "kubeconfig"`);
  const kc = new KubeConfig();
  kc.loadFromString(Buffer.from(data, 'base64').toString('utf8'));
  return kc;
}

/** The cluster set: the config's clusters, or those of the CIS extended ConfigMap read from the local cluster. */
async function clusterSet(config: Config, core: CoreV1Api): Promise<MultiClusterConfig | undefined> {
  const multi = config.multiCluster;
  if (!multi?.extendedSpecConfigMap) return multi;
  const [namespace, name] = splitRef(multi.extendedSpecConfigMap);
  const configMap = await kubeCall(
    `ConfigMap ${multi.extendedSpecConfigMap}: cannot read`,
    (options) => core.readNamespacedConfigMap({ namespace, name }, options),
    { timeoutMs: KUBE_REQUEST_TIMEOUT_MS },
  );
  const imported = importExtendedSpec(
    { ...configMap, apiVersion: 'v1', kind: 'ConfigMap' } as Parameters<typeof importExtendedSpec>[0],
    multi.localClusterName,
  );
  if (!imported.multiCluster) throw new Error(`ConfigMap ${multi.extendedSpecConfigMap} is invalid: ${imported.errors.join('; ')}`);
  return { ...imported.multiCluster, extendedSpecConfigMap: multi.extendedSpecConfigMap };
}

/** Each cluster's kubeconfig: its file, its Secret (read from the local cluster), or the local one. */
async function clustersOf(multi: MultiClusterConfig | undefined, local: KubeConfig, core: CoreV1Api): Promise<ControllerCluster[]> {
  if (!multi) return [{ name: 'local', kubeConfig: local }];
  const localName = multi.localClusterName ?? multi.clusters[0]?.name;
  const out: ControllerCluster[] = [];
  for (const c of multi.clusters) {
    let kubeConfig = local;
    if (c.kubeconfigFile !== undefined) {
      kubeConfig = new KubeConfig();
      kubeConfig.loadFromFile(c.kubeconfigFile);
    } else if (c.kubeconfigSecret !== undefined) {
      kubeConfig = await secretKubeConfig(core, c.kubeconfigSecret);
    } else if (c.name !== localName) {
      throw new Error(
        `multiCluster.clusters ${c.name}: set kubeconfigFile or kubeconfigSecret (only the local cluster may use the controller's own)`,
      );
    }
    out.push({ name: c.name, kubeConfig });
  }
  return out;
}

function portOf(text: string | undefined, io: CliIo): number | undefined {
  const port = Number(text ?? '8080');
  if (Number.isInteger(port) && port >= 0 && port <= 65535) return port;
  io.stderr(`error: --port must be a port number, not "${text ?? ''}"\n`);
  return undefined;
}

/** The live clusters: the local kubeconfig, the cluster set, each cluster's kubeconfig, the lease identity. */
async function startClusters(
  options: RunOptions,
  fileConfig: Config,
  deps: Pick<ControllerOptions, 'bigip' | 'validators' | 'log' | 'port'>,
): Promise<RunningController> {
  const local = new KubeConfig();
  if (options.kubeconfig !== undefined) local.loadFromFile(options.kubeconfig);
  else local.loadFromDefault();
  const core = local.makeApiClient(CoreV1Api);
  const multiCluster = await clusterSet(fileConfig, core);
  const config: Config = multiCluster ? { ...fileConfig, multiCluster } : fileConfig;
  const clusters = await clustersOf(multiCluster, local, core);
  const namespace = options.namespace ?? process.env['POD_NAMESPACE'] ?? 'default';
  const leaderElection = options.leaderElection === false ? {} : { leaderElection: { identity: identity() } };
  return launchController({ ...deps, config, clusters, namespace, ...leaderElection });
}

/**
 * The controller's logger: JSON lines on stdout, credential fields removed, and every message and
 * field passed through lib/redact.ts, so no private key reaches a log whatever a message echoes.
 */
export function controllerLogger(destination?: DestinationStream): Log {
  const options: LoggerOptions = {
    name: 'kube-as3',
    redact: REDACT,
    hooks: {
      logMethod(args, method) {
        return method.apply(this, args.map(redactLogArgument) as Parameters<typeof method>);
      },
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

/** Resolves when `signal` aborts. */
function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/**
 * Runs until `signal` aborts (the binary: SIGTERM or SIGINT; its reason names the signal), then
 * stops within the deadline: 0 when everything stopped, 1 when the deadline or `stops.force` cut
 * the stop short (the caller then exits without waiting for what is left).
 */
export async function runController(
  options: RunOptions,
  io: CliIo,
  signal: AbortSignal,
  log: Log = controllerLogger(),
  stops: RunStopOptions = {},
): Promise<number> {
  if (options.config === undefined) {
    io.stderr('error: give the config file with --config FILE\n');
    return EXIT_FATAL;
  }
  const fileConfig = await loadConfigFile(options.config, io);
  const port = portOf(options.port, io);
  const validators = fileConfig ? await validatorsFor(fileConfig, options.config, io) : undefined;
  const bigip = fileConfig && validators && port !== undefined ? await connectBigip(options, fileConfig, io, signal) : undefined;
  if (!fileConfig || !validators || !bigip || port === undefined) return EXIT_FATAL;
  let launching: Promise<RunningController>;
  if (options.manifests !== undefined) {
    const ipam = options.ipamState === undefined ? {} : { ipam: new FileIpamStore(options.ipamState) };
    launching = startManifestController({
      config: fileConfig,
      dir: options.manifests,
      exclude: [options.config],
      bigip,
      validators,
      log,
      port,
      ...ipam,
    });
  } else {
    launching = startClusters(options, fileConfig, { bigip, validators, log, port });
  }
  let running: RunningController | undefined;
  try {
    running = await Promise.race([launching, aborted(signal).then(() => undefined)]);
  } catch (err) {
    io.stderr(`error: ${(err as Error).message}\n`);
    return EXIT_FATAL;
  }
  if (running === undefined) {
    // Stopped while the cluster set was still being read: nothing runs yet, and whatever that
    // read would have started is stopped as soon as it exists.
    launching
      .then(
        (late) => late.stop(),
        () => undefined,
      )
      .catch(() => undefined);
    log.info({ reason: stopReason(signal) }, 'stopped before the controller started');
    return EXIT_OK;
  }
  log.info({ url: running.server?.url }, 'kube-as3 controller running');
  await aborted(signal);
  const current = running;
  const result = await shutDown(stopReason(signal), (waitFor) => current.stop(waitFor), {
    log,
    ...stops,
    unfinished: () =>
      current
        .inFlight()
        .map((post) => `the ${post} was in flight: the BIG-IP may or may not have applied it; the next start reads the device back`),
  });
  if (result.outcome !== 'stopped') return EXIT_FATAL;
  log.info({}, 'kube-as3 controller stopped');
  return EXIT_OK;
}

/**
 * The binary's entry: the first SIGTERM (Kubernetes) or SIGINT (Ctrl-C) stops within the deadline,
 * a second one exits at once. After a signal the process exits as soon as `run` returns, so nothing
 * left behind (a hung request) can keep it alive.
 */
export async function runWithSignals(options: RunOptions, io: CliIo): Promise<number> {
  const stop = new AbortController();
  const force = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (!stop.signal.aborted) stop.abort(signal);
    else force.abort(signal);
  };
  const log = controllerLogger();
  const onUncaught = (err: Error): void => {
    if (isStraySocketError(err)) {
      log.warn(
        { code: (err as NodeJS.ErrnoException).code },
        `a connection failed with nobody waiting on it (${err.message}); what used it retries on its own`,
      );
      return;
    }
    log.error({ err }, 'uncaught error: stopping');
    process.exit(1);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  process.on('uncaughtException', onUncaught);
  try {
    const code = await runController(options, io, stop.signal, log, { force: force.signal });
    if (stop.signal.aborted) process.exit(code);
    return code;
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    process.off('uncaughtException', onUncaught);
  }
}
