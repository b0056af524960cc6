/**
 * Keeps one ClusterState current with one cluster through @kubernetes/client-node informers (list,
 * then watch from the list's resourceVersion), one per kind kube-as3 reads, or one per kind and
 * namespace when the controller is restricted to namespaces.
 *
 * What client-node 1.4 leaves to the caller (see reference/client-node-notes.md), and how it is done:
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
 * The typed list APIs turn timestamps into Date objects and drop fields the client's models do not
 * know, while watch events are plain JSON. List items are turned back into the wire form (RFC 3339
 * timestamps as the API server writes them), so an object looks the same whether it arrived in a
 * list or in an event, and `compareAge` orders them the same way after a restart.
 */
import { setMaxListeners } from 'node:events';
import { setTimeout as delay } from 'node:timers/promises';
import { CoreV1Api, CustomObjectsApi, DiscoveryV1Api, NetworkingV1Api, makeInformer } from '@kubernetes/client-node';
import type { Informer, KubeConfig, KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import type { ClusterState } from '../inventory/cluster-state.js';
import { API_VERSION, isClusterScoped, storedNamespace } from '../kube/kinds.js';
import { namespacedName } from '../kube/refs.js';
import type { KnownKind, KubeObject } from '../kube/types.js';

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
const CIS = API_VERSION.VirtualServer;

type Apis = { core: CoreV1Api; discovery: DiscoveryV1Api; networking: NetworkingV1Api; custom: CustomObjectsApi };

/** How one kind is listed and watched. */
interface KindSource {
  kind: KnownKind;
  plural: string;
  /** Listed through a typed API (items are model instances with Date fields), not CustomObjectsApi. */
  typed: boolean;
  /** Lists the kind in `namespace`, or everywhere when undefined. */
  list(apis: Apis, namespace: string | undefined): Promise<unknown>;
}

function cisSource(kind: KnownKind, plural: string): KindSource {
  const [group, version] = CIS.split('/') as [string, string];
  return {
    kind, plural, typed: false,
    list: (apis, namespace) => namespace === undefined
      ? apis.custom.listCustomObjectForAllNamespaces({ group, version, plural })
      : apis.custom.listNamespacedCustomObject({ group, version, namespace, plural }),
  };
}

/** The kinds kube-as3 reads, in the API groups it reads them from (the same ones `populateCluster` accepts). */
const SOURCES: readonly KindSource[] = [
  { kind: 'Node', plural: 'nodes', typed: true, list: (a) => a.core.listNode() },
  { kind: 'Namespace', plural: 'namespaces', typed: true, list: (a) => a.core.listNamespace() },
  {
    kind: 'Service', plural: 'services', typed: true,
    list: (a, namespace) => (namespace === undefined ? a.core.listServiceForAllNamespaces() : a.core.listNamespacedService({ namespace })),
  },
  {
    kind: 'Secret', plural: 'secrets', typed: true,
    list: (a, namespace) => (namespace === undefined ? a.core.listSecretForAllNamespaces() : a.core.listNamespacedSecret({ namespace })),
  },
  {
    kind: 'Pod', plural: 'pods', typed: true,
    list: (a, namespace) => (namespace === undefined ? a.core.listPodForAllNamespaces() : a.core.listNamespacedPod({ namespace })),
  },
  {
    kind: 'EndpointSlice', plural: 'endpointslices', typed: true,
    list: (a, namespace) => (namespace === undefined ? a.discovery.listEndpointSliceForAllNamespaces() : a.discovery.listNamespacedEndpointSlice({ namespace })),
  },
  {
    kind: 'Ingress', plural: 'ingresses', typed: true,
    list: (a, namespace) => (namespace === undefined ? a.networking.listIngressForAllNamespaces() : a.networking.listNamespacedIngress({ namespace })),
  },
  {
    kind: 'IngressClass', plural: 'ingressclasses', typed: true,
    list: (a) => a.networking.listIngressClass(),
  },
  cisSource('VirtualServer', 'virtualservers'),
  cisSource('TransportServer', 'transportservers'),
  cisSource('TLSProfile', 'tlsprofiles'),
  cisSource('Policy', 'policies'),
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

/** How the API server writes a metav1.Time: seconds, `Z`, no fraction when there is none. */
function rfc3339(date: Date): string {
  const iso = date.toISOString();
  return date.getUTCMilliseconds() === 0 ? iso.replace('.000Z', 'Z') : iso;
}

/**
 * A typed list item (a client-node model instance) as plain JSON, the form a watch event carries it
 * in: Dates back to the API server's strings. The item models name every field as the wire does
 * (only ListMeta renames one, `continue`), so nothing else needs translating; custom objects are
 * plain JSON already.
 */
function wireForm(value: unknown): unknown {
  if (value instanceof Date) return rfc3339(value);
  if (Array.isArray(value)) return value.map(wireForm);
  if (typeof value !== 'object' || value === null) return value;
  const plain: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) if (field !== undefined) plain[key] = wireForm(field);
  return plain;
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

  constructor(readonly source: KindSource, readonly namespace: string | undefined) {
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
  private readonly apis: Apis;
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

  constructor(private readonly options: ClusterWatchOptions) {
    // Every feed (kind × namespace) waits on this one signal while it backs off: many at once is normal.
    setMaxListeners(0, this.abort.signal);
    const kc = options.kubeConfig;
    this.apis = {
      core: kc.makeApiClient(CoreV1Api),
      discovery: kc.makeApiClient(DiscoveryV1Api),
      networking: kc.makeApiClient(NetworkingV1Api),
      custom: kc.makeApiClient(CustomObjectsApi),
    };
    this.now = options.now ?? Date.now;
    this.staleAfterMs = options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS;
    const namespaces = [...new Set(options.namespaces ?? [])];
    this.feeds = SOURCES.filter((source) => source.kind !== 'Pod' || options.pods).flatMap((source) =>
      isClusterScoped(source.kind) || namespaces.length === 0 ? [new Feed(source, undefined)] : namespaces.map((ns) => new Feed(source, ns)),
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
    const response = (await feed.source.list(this.apis, feed.namespace)) as { metadata?: { resourceVersion?: string }; items?: unknown[] };
    // A replaced informer must fail here: after a list it would open a watch that nothing aborts.
    if (!this.current(feed, generation)) throw new Error('superseded by a newer informer');
    const items: KubeObject[] = [];
    for (const item of response.items ?? []) {
      const obj = (feed.source.typed ? wireForm(item) : item) as KubeObject;
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
    const obj = raw as KubeObject;
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
    const initial = this.options.restartDelay?.initialMs ?? 500;
    const max = this.options.restartDelay?.maxMs ?? 30_000;
    const base = Math.min(max, initial * 2 ** Math.min(failures - 1, 30));
    return Math.round(base * (0.75 + 0.5 * (this.options.random ?? Math.random)()));
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
