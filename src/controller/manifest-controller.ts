/**
 * `kube-as3 run --manifests DIR`: the controller's loop over a folder of objects instead of a
 * cluster (manifest-source.ts), with the same BIG-IP gate, endpoints and stop as the live one.
 */
import { EventEmitter } from 'node:events';
import { ApplyEngine } from '../apply/engine.js';
import type { DeclarationValidator } from '../apply/declaration-validator.js';
import type { As3Api } from '../bigip/as3-api.js';
import type { Config } from '../config/config.js';
import type { IpamStore } from '../ipam/store.js';
import type { Plan } from '../plan/plan.js';
import { As3Gate } from './as3-gate.js';
import type { RunningController } from './controller.js';
import { applied, passDescription, settle } from './controller.js';
import { startControllerServer } from './http-server.js';
import type { Readiness } from './http-server.js';
import { ManifestSource } from './manifest-source.js';
import { ControllerMetrics } from './metrics.js';
import { Reconciler } from './reconciler.js';
import type { Log, PassRecord } from './reconciler.js';
import type { WaitFor } from './shutdown.js';

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
  const manifests = new ManifestSource({
    dir: options.dir,
    exclude: options.exclude ?? [],
    log,
    onChange: () => loop.current?.trigger(),
    ...(options.settleMs === undefined ? {} : { settleMs: options.settleMs }),
  });
  const gate = new As3Gate(options.bigip);
  const engine = new ApplyEngine({
    api: gate,
    instance: config.as3.instance,
    schemaVersion: config.as3.schemaVersion,
    validators: options.validators,
    onEvent: (e) => metrics.apply(e),
  });
  const reconciler = new Reconciler({
    config,
    source: () => manifests.state,
    engine,
    log,
    ...(options.ipam ? { ipam: options.ipam } : {}),
    onPass: (record: PassRecord, plan: Plan | undefined) => {
      metrics.pass(record, plan);
      events.emit('pass', record, plan);
    },
  });
  loop.current = reconciler;
  const readiness = (): Readiness => applied(reconciler);
  const server =
    options.port === undefined ? undefined : await startControllerServer({ port: options.port, registry: metrics.registry, readiness });
  if (!(await manifests.start())) {
    await server?.close();
    throw new Error(`the manifests in ${options.dir} cannot all be read; fix them and start again`);
  }
  log.info({ dir: options.dir }, 'following the manifests; first reconcile');
  reconciler.trigger();
  let stopped: Promise<void> | undefined;
  const stop = async (waitFor: WaitFor): Promise<void> => {
    manifests.stop();
    reconciler.stop();
    gate.close();
    if (reconciler.busy) await waitFor(passDescription(gate), reconciler.idle());
    await server?.close();
  };
  return {
    reconciler,
    metrics,
    events,
    readiness,
    ...(server ? { server } : {}),
    started: Promise.resolve(),
    inFlight: () => gate.inFlight(),
    stop: (waitFor = settle) => (stopped ??= stop(waitFor)),
  };
}
