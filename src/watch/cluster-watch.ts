/**
 * Keeps one ClusterState current with one cluster through @kubernetes/client-node informers (list,
 * then watch from the list's resourceVersion), one per kind kube-as3 reads, or one per kind and
 * namespace when the controller is restricted to namespaces.
 *
 * What client-node 1.4 leaves to the caller , and how it is done:
 * - An informer that fails (other than 410 Gone) stops for good: it is replaced by a new one after an
 *   exponential backoff with jitter, so the clusters' informers do not all hit a recovering API server
 *   at the same instant.
 * - A new informer lists again but does not report what disappeared meanwhile: every list is
 *   compared with what this watch had put in the state for that informer, and the missing objects
 *   are removed.
 * - A silently dead connection is never noticed by the client: a watchdog replaces an informer that
 *   has seen no event, list or reconnection for `staleAfterMs`.
 * - Handlers that throw break the informer: every callback into the controller is caught and
 *   reported through `onError`.
 *
 * Lists are read as plain JSON (raw-list.ts), the form watch events carry, so an object looks the
 * same whether it arrived in a list or in an event, and `compareAge` orders them the same way after
 * a restart. Fields kube-as3 never reads (managedFields, the last-applied annotation) are dropped
 * from both as they arrive.
 */
import { setMaxListeners } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { makeInformer } from '@kubernetes/client-node';
import type { Informer, KubeConfig, KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import type { ClusterState } from '../inventory/cluster-state.js';
import { API_VERSION, isClusterScoped, storedNamespace } from '../kube/kinds.js';
import { namespacedName } from '../kube/refs.js';
import type { KnownKind, KubeObject } from '../kube/types.js';
import { backoffDelay } from '../lib/backoff.js';
import { listRaw, slim } from './raw-list.js';

export interface ClusterWatchOptions {
  kubeConfig: KubeConfig;
  /** The state this watch keeps current; nothing else should write to it. */
  state: ClusterState;
  /** Namespaces to read namespaced kinds from; empty or absent: all namespaces. */
  namespaces?: readonly string[];
  /** Also watch Pods (NodePortLocal reads their Antrea annotation); other modes do not pay for them. */
  pods?: boolean;
  /** Called after every change applied to the state (an event, or a list that changed something). */
  onChange?: (kind: KnownKind) => void;
  /** Reports informer failures (the informer is restarted) and exceptions thrown by `onChange`. */
  onError?: (kind: KnownKind, error: Error, namespace?: string) => void;
  /** Called when an informer connects and, with it, every informer is watching (after a start or a failure). */
  onConnected?: () => void;
  /** Backoff before replacing a failed informer: doubles per consecutive failure (default 500 ms up to 30 s). */
  restartDelay?: { initialMs?: number; maxMs?: number };
  /** Waits `ms` or until `signal` aborts (tests resolve at once); default: a timer. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** In [0, 1): jitter of ±25 % on each backoff delay (tests pass a constant). */
  random?: () => number;
  /** Deadline of each list (default 30 s, kube-call.ts): a hung list fails the informer, which is replaced. The watch stream itself has none (the staleness watchdog covers it). */
  listTimeoutMs?: number;
  /** An informer with no event, list or reconnection for this long is replaced (default 5 minutes). */
  staleAfterMs?: number;
  /** How often the watchdog looks (default min(staleAfterMs, 30 s)); 0: never by itself (tests call `checkStaleness`). */
  watchdogIntervalMs?: number;
  /** Clock in milliseconds, for staleness and `lastEventAt` (default Date.now). */
  now?: () => number;
}

export interface ClusterWatchError {
  kind: string;
  namespace?: string;
  message: string;
}

export interface ClusterWatchHealth {
  /** Every informer has listed at least once: the state holds the whole cluster (maybe not the latest of it). */
  synced: boolean;
  /** Every informer is watching now (none failed and waiting to be replaced). */
  connected: boolean;
  /** When the last event or list arrived. */
  lastEventAt?: number;
  /** Informers replaced after a failure or by the watchdog. */
  restarts: number;
  /** The most recent failures, oldest first (at most 20). */
  errors: ClusterWatchError[];
}

const DEFAULT_STALE_AFTER_MS = 5 * 60_000;
const MAX_ERRORS = 20;
/** How one kind is listed and watched: its collection's plural (the group and version are API_VERSION's). */
interface KindSource {
  kind: KnownKind;
  plural: string;
}

/** The kinds kube-as3 reads, in the API groups it reads them from (the same ones `populateCluster` accepts). */
const SOURCES: readonly KindSource[] = [
  { kind: 'Node', plural: 'nodes' },
  { kind: 'Namespace', plural: 'namespaces' },
  { kind: 'Service', plural: 'services' },
  { kind: 'Secret', plural: 'secrets' },
  { kind: 'Pod', plural: 'pods' },
  { kind: 'EndpointSlice', plural: 'endpointslices' },
  { kind: 'Ingress', plural: 'ingresses' },
  { kind: 'IngressClass', plural: 'ingressclasses' },
  { kind: 'VirtualServer', plural: 'virtualservers' },
  { kind: 'TransportServer', plural: 'transportservers' },
  { kind: 'TLSProfile', plural: 'tlsprofiles' },
  { kind: 'Policy', plural: 'policies' },
];

/** Each watched kind and its plural (what the RBAC rules of src/controller/rbac-rules.ts grant). */
export const WATCHED_KINDS: ReadonlyArray<{ kind: KnownKind; plural: string }> = SOURCES.map(({ kind, plural }) => ({ kind, plural }));

/** `/api/v1[/namespaces/ns]/services`, `/apis/cis.f5.com/v1[/namespaces/ns]/virtualservers`. */
function collectionPath(source: KindSource, namespace: string | undefined): string {
  const apiVersion = API_VERSION[source.kind];
  const root = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  const scope = namespace === undefined ? '' : `/namespaces/${encodeURIComponent(namespace)}`;
  return `${root}${scope}/${source.plural}`;
}

/** Where an object lives as this watch stores it: cluster-scoped kinds under '', others default to `default`. */
function placeOf(source: KindSource, obj: KubeObject): { namespace: string; name: string } | undefined {
  const name = obj.metadata?.name;
  if (typeof name !== 'string' || name === '') return undefined;
  return { namespace: storedNamespace(source.kind, obj), name };
}

/** Sets kind and apiVersion (lists omit them) and the namespace the way `populateCluster` does; copies only when needed. */
function normalize(source: KindSource, obj: KubeObject, namespace: string): KubeObject {
  const meta = obj.metadata ?? {};
  const apiVersion = API_VERSION[source.kind];
  if (obj.kind === source.kind && obj.apiVersion === apiVersion && (meta.namespace ?? '') === namespace) return obj;
  const { namespace: _namespace, ...rest } = meta;
  return { ...obj, kind: source.kind, apiVersion, metadata: namespace === '' ? rest : { ...meta, namespace } };
}

/** The error as reported; a failed watch request's message ("Internal Server Error") gets its HTTP status. */
function asError(err: unknown): Error {
  const status = (err as { statusCode?: unknown } | undefined)?.statusCode;
  const message = err instanceof Error ? err.message : String(err);
  if (typeof status === 'number' && !message.includes(String(status))) return new Error(`HTTP ${status}: ${message}`, { cause: err });
  return err instanceof Error ? err : new Error(message);
}

/** An object this watch put in the state, with the version it was at. */
interface Known {
  namespace: string;
  name: string;
  resourceVersion: string | undefined;
}

/** One informer's worth of the cluster: a kind, in one namespace or all of them. */
class Feed {
  /** What this feed has put in the state, by `ns/name`: what a relist is compared with. */
  readonly known = new Map<string, Known>();
  readonly path: string;
  informer: Informer<KubernetesObject> | undefined;
  /** Bumped for each informer; callbacks of older ones are ignored. */
  generation = 0;
  failedGeneration = -1;
  synced = false;
  connected = false;
  backingOff = false;
  /** Consecutive failures, for the backoff; reset when a new informer connects. */
  failures = 0;
  lastActivityAt = 0;

  constructor(
    readonly source: KindSource,
    readonly namespace: string | undefined,
  ) {
    this.path = collectionPath(source, namespace);
  }

  get kind(): KnownKind {
    return this.source.kind;
  }
}

/** Waits `ms`, or less when the watch stops. */
async function timerSleep(ms: number, signal: AbortSignal): Promise<void> {
  try {
    await delay(ms, undefined, { signal });
  } catch {
    // aborted: the watch is stopping
  }
}

export class ClusterWatch {
  private readonly feeds: Feed[];
  private readonly abort = new AbortController();
  private readonly now: () => number;
  private readonly staleAfterMs: number;
  private started = false;
  private stopped = false;
  private restarts = 0;
  private lastEventAt: number | undefined;
  private readonly errors: ClusterWatchError[] = [];
  private watchdog: NodeJS.Timeout | undefined;
  private syncWaiter: { resolve: () => void; reject: (err: Error) => void } | undefined;
  /** Feeds whose first list request has been sent, and who waits for all of them. */

  constructor(private readonly options: ClusterWatchOptions) {
    // Every feed (kind × namespace) waits on this one signal while it backs off: many at once is normal.
    setMaxListeners(0, this.abort.signal);
    this.now = options.now ?? Date.now;
    this.staleAfterMs = options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
    const namespaces = [...new Set(options.namespaces ?? [])];
    this.feeds = SOURCES.filter((source) => source.kind !== 'Pod' || options.pods).flatMap((source) =>
      isClusterScoped(source.kind) || namespaces.length === 0
        ? [new Feed(source, undefined)]
        : namespaces.map((ns) => new Feed(source, ns)),
    );
  }

  /**
   * Lists and watches every kind; resolves once each has been listed into the state. Informers that
   * fail meanwhile are retried, so this waits for an unreachable cluster; it rejects only when
   * `stop()` comes first.
   */
  start(): Promise<void> {
    if (this.started) return Promise.reject(new Error(`cluster ${this.options.state.name}: the watch was already started`));
    this.started = true;
    const synced = new Promise<void>((resolve, reject) => {
      this.syncWaiter = { resolve, reject };
    });
    const interval = this.options.watchdogIntervalMs ?? Math.min(this.staleAfterMs, 30_000);
    if (interval > 0) {
      this.watchdog = setInterval(() => this.checkStaleness(), interval);
      this.watchdog.unref();
    }
    for (const feed of this.feeds) void this.launch(feed);
    return synced;
  }

  /** Stops every informer and pending restart; the state keeps what it holds. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.abort.abort();
    if (this.watchdog) clearInterval(this.watchdog);
    const informers = this.feeds.map((feed) => feed.informer);
    await Promise.all(informers.map((informer) => informer?.stop()));
    this.syncWaiter?.reject(new Error(`cluster ${this.options.state.name}: the watch stopped before every kind was listed`));
    this.syncWaiter = undefined;
  }

  health(): ClusterWatchHealth {
    return {
      synced: this.feeds.every((feed) => feed.synced),
      connected: this.feeds.every((feed) => feed.connected),
      ...(this.lastEventAt === undefined ? {} : { lastEventAt: this.lastEventAt }),
      restarts: this.restarts,
      errors: this.errors.map((error) => ({ ...error })),
    };
  }

  /**
   * Replaces every informer that has seen nothing (event, list or reconnection) for `staleAfterMs`,
   * except those already waiting to be replaced; returns how many. The watchdog timer calls this.
   */
  checkStaleness(): number {
    if (!this.started || this.stopped) return 0;
    const now = this.now();
    const stale = this.feeds.filter((feed) => !feed.backingOff && now - feed.lastActivityAt >= this.staleAfterMs);
    for (const feed of stale) {
      this.restarts += 1;
      void this.launch(feed);
    }
    return stale.length;
  }

  private current(feed: Feed, generation: number): boolean {
    return !this.stopped && feed.generation === generation;
  }

  /** Replaces the feed's informer by a new one, which lists (into the state) and then watches. */
  private async launch(feed: Feed): Promise<void> {
    const generation = ++feed.generation;
    const previous = feed.informer;
    feed.connected = false;
    feed.lastActivityAt = this.now();
    await previous?.stop();
    if (!this.current(feed, generation)) return;
    const informer = makeInformer<KubernetesObject>(this.options.kubeConfig, feed.path, () => this.list(feed, generation));
    informer.on('add', (obj) => this.guard(feed, () => this.applyObject(feed, generation, obj)));
    informer.on('update', (obj) => this.guard(feed, () => this.applyObject(feed, generation, obj)));
    informer.on('delete', (obj) => this.guard(feed, () => this.removeObject(feed, generation, obj)));
    informer.on('connect', () => this.guard(feed, () => this.touch(feed, generation)));
    informer.on('error', (err) => this.failed(feed, generation, err));
    feed.informer = informer;
    try {
      await informer.start();
    } catch (err) {
      this.failed(feed, generation, err);
    }
    if (!this.current(feed, generation)) {
      // Stopped or replaced while connecting: the watch request only now exists to be aborted.
      await informer.stop();
      return;
    }
    if (feed.failedGeneration !== generation) {
      feed.connected = true;
      feed.failures = 0;
      if (this.feeds.every((f) => f.connected)) this.guard(feed, () => this.options.onConnected?.());
    }
  }

  /**
   * The informer's list function: lists, applies the list to the state (removing what this feed
   * had put there and the list no longer holds), and hands the same objects to the informer.
   */
  private async list(feed: Feed, generation: number): Promise<KubernetesListObject<KubernetesObject>> {
    // The first list may come from the API server's watch cache (resourceVersion=0, as client-go's
    // informers list): several times cheaper than a read through to etcd. Later lists (after a
    // failure) must not go back before what the state already holds: they read the latest.
    const path = feed.synced ? feed.path : `${feed.path}?resourceVersion=0`;
    const timeout = this.options.listTimeoutMs === undefined ? {} : { timeoutMs: this.options.listTimeoutMs };
    const response = await listRaw(this.options.kubeConfig, path, { ...timeout, signal: this.abort.signal });
    // A replaced informer must fail here: after a list it would open a watch that nothing aborts.
    if (!this.current(feed, generation)) throw new Error('superseded by a newer informer');
    const items: KubeObject[] = [];
    for (const item of response.items ?? []) {
      const obj = item as KubeObject;
      const place = placeOf(feed.source, obj);
      if (place) items.push(normalize(feed.source, obj, place.namespace));
    }
    this.guard(feed, () => this.applyList(feed, items));
    return { metadata: { resourceVersion: response.metadata?.resourceVersion ?? '' }, items: items as KubernetesObject[] };
  }

  private applyList(feed: Feed, items: KubeObject[]): void {
    const seen = new Set<string>();
    let changed = false;
    for (const obj of items) {
      const key = namespacedName(obj.metadata?.namespace ?? '', obj.metadata?.name ?? '');
      seen.add(key);
      changed = this.store(feed, key, obj) || changed;
    }
    for (const [key, known] of feed.known) {
      if (seen.has(key)) continue;
      feed.known.delete(key);
      this.options.state.remove(feed.kind, known.namespace, known.name);
      changed = true;
    }
    feed.synced = true;
    this.activity(feed);
    if (changed) this.notify(feed);
    this.resolveIfSynced();
  }

  /** Puts an object in the state unless the state already holds that version of it. */
  private store(feed: Feed, key: string, obj: KubeObject): boolean {
    const resourceVersion = obj.metadata?.resourceVersion;
    const known = feed.known.get(key);
    if (known && resourceVersion !== undefined && known.resourceVersion === resourceVersion) return false;
    feed.known.set(key, { namespace: obj.metadata?.namespace ?? '', name: obj.metadata?.name ?? '', resourceVersion });
    // A status kube-as3 wrote comes back as an update: kept, but not a change to plan for.
    return this.options.state.upsertChanged(obj, feed.kind);
  }

  private applyObject(feed: Feed, generation: number, raw: KubernetesObject): void {
    if (!this.current(feed, generation)) return;
    this.activity(feed);
    const obj = slim(raw as KubeObject);
    const place = placeOf(feed.source, obj);
    if (!place) return;
    if (this.store(feed, namespacedName(place.namespace, place.name), normalize(feed.source, obj, place.namespace))) this.notify(feed);
  }

  private removeObject(feed: Feed, generation: number, raw: KubernetesObject): void {
    if (!this.current(feed, generation)) return;
    this.activity(feed);
    const place = placeOf(feed.source, raw as KubeObject);
    if (!place || !feed.known.delete(namespacedName(place.namespace, place.name))) return;
    this.options.state.remove(feed.kind, place.namespace, place.name);
    this.notify(feed);
  }

  private touch(feed: Feed, generation: number): void {
    if (this.current(feed, generation)) feed.lastActivityAt = this.now();
  }

  private activity(feed: Feed): void {
    const now = this.now();
    feed.lastActivityAt = now;
    this.lastEventAt = now;
  }

  private failed(feed: Feed, generation: number, err: unknown): void {
    if (!this.current(feed, generation) || feed.failedGeneration === generation) return;
    feed.failedGeneration = generation;
    feed.connected = false;
    this.report(feed, asError(err));
    void this.restartLater(feed, generation);
  }

  private async restartLater(feed: Feed, generation: number): Promise<void> {
    feed.backingOff = true;
    feed.failures += 1;
    try {
      await (this.options.sleep ?? timerSleep)(this.backoffMs(feed.failures), this.abort.signal);
    } catch (err) {
      this.report(feed, asError(err));
    }
    feed.backingOff = false;
    if (!this.current(feed, generation)) return;
    this.restarts += 1;
    await this.launch(feed);
  }

  private backoffMs(failures: number): number {
    const policy = { baseMs: this.options.restartDelay?.initialMs ?? 500, maxMs: this.options.restartDelay?.maxMs ?? 30_000, jitter: 0.25 };
    return backoffDelay(failures, policy, this.options.random);
  }

  private resolveIfSynced(): void {
    if (this.syncWaiter && this.feeds.every((feed) => feed.synced)) {
      this.syncWaiter.resolve();
      this.syncWaiter = undefined;
    }
  }

  private notify(feed: Feed): void {
    const onChange = this.options.onChange;
    if (!onChange) return;
    try {
      onChange(feed.kind);
    } catch (err) {
      this.report(feed, asError(err));
    }
  }

  /** Runs informer callback work so that nothing it throws reaches the informer. */
  private guard(feed: Feed, work: () => void): void {
    try {
      work();
    } catch (err) {
      this.report(feed, asError(err));
    }
  }

  private report(feed: Feed, error: Error): void {
    const entry: ClusterWatchError = { kind: feed.kind, message: error.message };
    if (feed.namespace !== undefined) entry.namespace = feed.namespace;
    this.errors.push(entry);
    if (this.errors.length > MAX_ERRORS) this.errors.shift();
    try {
      this.options.onError?.(feed.kind, error, feed.namespace);
    } catch {
      // The reporter failed too; the error is still in health().
    }
  }
}
