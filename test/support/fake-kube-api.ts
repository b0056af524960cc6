/**
 * A minimal Kubernetes API server over HTTP on 127.0.0.1 for tests that drive the real
 * @kubernetes/client-node against it. It keeps the semantics the controller relies on rather than
 * canned answers: one resourceVersion counter for all objects (as etcd has), bumped on every write;
 * PUT is a compare-and-swap on metadata.resourceVersion; POST of an existing name and GET of a
 * missing one fail with the same `Status` bodies a real API server sends. It knows nothing about any
 * particular kind, so any group/plural works (core `/api/v1/...` included).
 *
 * Lists carry the current resourceVersion and honour `labelSelector`. Watches
 * (`?watch=true&resourceVersion=N`) flush their headers at once (client-node's informer waits for
 * them) and stream every change after N from a bounded history, so a client reconnecting with its
 * last version misses nothing; a version older than the history gets the `410 Expired` ERROR event
 * a real server sends, and the client must list again. Without a version (or with "0") a watch
 * starts with an ADDED event per existing object. The `status` subresource (GET, PUT, PATCH) and
 * PATCH of the object take JSON merge patches (RFC 7386) and JSON patches (RFC 6902); a write that
 * changes nothing keeps the resourceVersion and sends no event, as a real server does.
 *
 * Tests change objects without HTTP through `put`/`delete`, and simulate the network through
 * `closeWatches` (a server-side watch timeout), `silenceWatches` (a connection that stays open but
 * carries nothing, the failure only a staleness watchdog notices), `failWatches`, and `hang` (a
 * request accepted and never answered, the failure only a request deadline notices).
 *
 * Not modelled: schema validation and pruning, generateName, subresources other than `status`
 * (and a status write changing only `status` whatever the kind), strategic merge patch and
 * server-side apply (415), field selectors, paging, bookmarks, watch timeouts, deletion grace
 * periods and finalizers.
 */
import { randomUUID } from 'node:crypto';
import { STATUS_CODES, createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import fjp from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { jsonEqual } from '../../src/lib/json-equal.js';
import { parseLabelSelector } from '../../src/kube/label-selector.js';
import type { LabelSelector } from '../../src/kube/label-selector.js';
import { isRecord } from '../../src/lib/is-record.js';

export interface FakeKubeRequest {
  method: string;
  /** URL path without the query string */
  path: string;
  /** the query string, with its leading `?` ('' when none) */
  query: string;
  /** HTTP status the fake answered with */
  status: number;
}

/** Requests the fake receives but never answers (a hung API server), until `close()`. */
export interface FakeKubeHang {
  method: string;
  /** only requests whose path matches (default: any) */
  path?: RegExp;
  /** how many requests hang (default 1) */
  times?: number;
}

/** A one-shot failure answered to the next request with this method, before any other handling. */
export interface FakeKubeFailure {
  method: string;
  code: number;
  reason: string;
  message: string;
}

export interface FakeKubeApiOptions {
  /** how many change events watches can replay (default 1000); older versions get 410 Expired */
  historyLimit?: number;
}

export interface FailWatchesOptions {
  /** how many watch requests fail (default: every one until `failWatches(0)`) */
  times?: number;
  /** only watches of this collection path, e.g. `/api/v1/services` (default: any) */
  path?: string;
}

export interface FakeKubeApi {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Deep copies of the stored objects, keyed by objectKey(group, plural, namespace, name). */
  objects(): Map<string, unknown>;
  /** Every request received, in order (a watch is recorded when its headers are sent). */
  requests: FakeKubeRequest[];
  /** Makes the next request with `failure.method` fail with that status (HTTP errors the fake does not produce by itself). */
  failNext(failure: FakeKubeFailure): void;
  /** Makes the next matching requests hang: received (and recorded, status 0) but never answered. */
  hang(hang: FakeKubeHang): void;
  /** Resolves once at least `count` requests hang (at once when they already do). */
  waitForHung(count: number): Promise<void>;
  /** The current resourceVersion counter. */
  resourceVersion(): string;
  /**
   * Creates or replaces an object as another writer would (no compare-and-swap), bumping the
   * resourceVersion and notifying watchers; cluster-scoped when `metadata.namespace` is absent.
   * `apiVersion` defaults to `group/version`. Returns a copy of what is stored.
   */
  put(group: string, version: string, plural: string, obj: Record<string, unknown>): Record<string, unknown>;
  /** Deletes an object (namespace '' for cluster-scoped ones), notifying watchers; throws when it is absent. */
  delete(group: string, version: string, plural: string, namespace: string, name: string): void;
  /** How many watch streams are open now. */
  openWatches(): number;
  /** Resolves once at least `count` watch streams are open (at once when they already are). */
  waitForWatches(count: number): Promise<void>;
  /** Ends every open watch stream, as an API server does when a watch times out. */
  closeWatches(): void;
  /** Keeps every open watch stream open but sends nothing more on it: a silently dead connection. */
  silenceWatches(): void;
  /** Makes the next watch requests answer with HTTP `code` (and a Status body); `failWatches(0)` stops that. */
  failWatches(code: number, options?: FailWatchesOptions): void;
  close(): Promise<void>;
}

/** Where one resource lives: group '' is the core API (`/api/v1`). */
interface ResourceRef {
  group: string;
  version: string;
  plural: string;
  /** undefined: all namespaces (list only) */
  namespace: string | undefined;
  /** undefined: the collection */
  name: string | undefined;
  /** `status`, or undefined for the object itself */
  subresource: string | undefined;
}

type NamedRef = ResourceRef & { namespace: string; name: string };

type KubeObject = Record<string, unknown> & { metadata: Record<string, unknown> };

type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One change, as watches replay and stream it. */
interface ChangeEvent {
  version: number;
  type: EventType;
  group: string;
  plural: string;
  namespace: string;
  object: KubeObject;
  /** the object before a modification, to tell whether it left or entered a label selector */
  previous: KubeObject | undefined;
}

/** What one watch stream asked for. */
interface WatchFilter {
  group: string;
  plural: string;
  /** undefined: all namespaces */
  namespace: string | undefined;
  selector: LabelSelector | undefined;
}

interface OpenWatch {
  filter: WatchFilter;
  res: ServerResponse;
  silent: boolean;
}

/** The key of an object in `objects()`: `<group>/<plural>/<namespace>/<name>` (group '' for core kinds). */
export function objectKey(group: string, plural: string, namespace: string, name: string): string {
  return `${group}/${plural}/${namespace}/${name}`;
}

/** A client-node KubeConfig talking to `url`; skipTLSVerify is what lets 1.4.x accept an http:// server. */
export function kubeConfigFor(url: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'fake', server: url, skipTLSVerify: true }],
    users: [{ name: 'tester', token: 'fake-token' }],
    contexts: [{ name: 'fake', cluster: 'fake', user: 'tester' }],
    currentContext: 'fake',
  });
  return kc;
}

function statusBody(code: number, reason: string, message: string, details?: Record<string, unknown>): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
}

class HttpFailure extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/**
 * `/api/v1/...` or `/apis/<group>/<version>/...`, then `[namespaces/<ns>/]<plural>[/<name>[/status]]`.
 * `/api/v1/namespaces/<name>/status` is the status of a Namespace, not a collection named `status`.
 */
function parsePath(pathname: string): ResourceRef | undefined {
  const parts = pathname
    .split('/')
    .filter((p) => p !== '')
    .map((p) => decodeURIComponent(p));
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 2) [group, version, rest] = ['', parts[1] as string, parts.slice(2)];
  else if (parts[0] === 'apis' && parts.length >= 3) [group, version, rest] = [parts[1] as string, parts[2] as string, parts.slice(3)];
  else return undefined;
  let namespace: string | undefined;
  const namespaceStatus = rest.length === 3 && rest[0] === 'namespaces' && rest[2] === 'status';
  if (rest[0] === 'namespaces' && rest.length >= 3 && !namespaceStatus) [namespace, rest] = [rest[1], rest.slice(2)];
  if (rest.length < 1 || rest.length > 3) return undefined;
  if (rest.length === 3 && rest[2] !== 'status') return undefined;
  return { group, version, namespace, plural: rest[0] as string, name: rest[1], subresource: rest[2] };
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (err) {
    throw new HttpFailure(400, 'BadRequest', `the request body is not valid JSON: ${(err as Error).message}`);
  }
}

function asObject(body: unknown): KubeObject {
  if (!isRecord(body)) throw new HttpFailure(400, 'BadRequest', 'the request body must be a JSON object');
  return { ...body, metadata: isRecord(body['metadata']) ? { ...body['metadata'] } : {} };
}

async function readJson(req: IncomingMessage): Promise<KubeObject> {
  return asObject(await readBody(req));
}

/** Everything but metadata, to decide whether a write changes the object's generation. */
function content(object: KubeObject): string {
  const { metadata: _metadata, ...rest } = object;
  return JSON.stringify(rest);
}

/** RFC 7386: objects merge key by key, `null` removes a key, anything else replaces. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isRecord(patch)) return structuredClone(patch);
  const result: Record<string, unknown> = isRecord(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

const MERGE_PATCH = 'application/merge-patch+json';
const JSON_PATCH = 'application/json-patch+json';

function applyPatchBody(current: KubeObject, contentType: string, body: unknown): KubeObject {
  if (contentType === MERGE_PATCH) return asObject(mergePatch(current, body));
  if (contentType === JSON_PATCH) {
    if (!Array.isArray(body)) throw new HttpFailure(400, 'BadRequest', 'a JSON patch must be an array of operations');
    try {
      return asObject(fjp.applyPatch(structuredClone(current), body as Operation[], true, true).newDocument);
    } catch (err) {
      throw new HttpFailure(422, 'Invalid', `the JSON patch cannot be applied: ${(err as Error).message}`);
    }
  }
  throw new HttpFailure(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${JSON_PATCH}, ${MERGE_PATCH}`,
  );
}

function selectorOf(query: URLSearchParams): LabelSelector | undefined {
  const source = query.get('labelSelector');
  if (!source) return undefined;
  const parsed = parseLabelSelector(source);
  if ('error' in parsed) throw new HttpFailure(400, 'BadRequest', `unable to parse requirement: ${parsed.error}`);
  return parsed;
}

function labelsOf(object: KubeObject | undefined): Record<string, string> | undefined {
  const labels = object?.metadata['labels'];
  return isRecord(labels) ? (labels as Record<string, string>) : undefined;
}

function inCollection(filter: WatchFilter, event: { group: string; plural: string; namespace: string }): boolean {
  return (
    event.group === filter.group &&
    event.plural === filter.plural &&
    (filter.namespace === undefined || filter.namespace === event.namespace)
  );
}

/**
 * What a watch with this filter sees of a change: an object that enters the label selector is
 * ADDED, one that leaves it is DELETED, as a real API server reports them.
 */
function eventFor(filter: WatchFilter, event: ChangeEvent): { type: EventType; object: KubeObject } | undefined {
  if (!inCollection(filter, event)) return undefined;
  if (!filter.selector) return { type: event.type, object: event.object };
  const now = filter.selector.matches(labelsOf(event.object));
  if (event.type !== 'MODIFIED') return now ? { type: event.type, object: event.object } : undefined;
  const before = filter.selector.matches(labelsOf(event.previous));
  if (before && now) return { type: 'MODIFIED', object: event.object };
  if (now) return { type: 'ADDED', object: event.object };
  return before ? { type: 'DELETED', object: event.object } : undefined;
}

class FakeKubeState {
  readonly objects = new Map<string, KubeObject>();
  /** Recent changes, oldest first, for watches that resume from a resourceVersion. */
  readonly history: ChangeEvent[] = [];
  /** The newest version no longer in `history`: a watch from an older one cannot be served. */
  private expiredUpTo = 0;
  private counter = 0;

  constructor(
    private readonly historyLimit: number,
    private readonly notify: (event: ChangeEvent) => void,
  ) {}

  private nextVersion(): string {
    this.counter += 1;
    return String(this.counter);
  }

  currentVersion(): string {
    return String(this.counter);
  }

  /** Whether a watch from `version` can be served from the history. */
  canResumeFrom(version: number): boolean {
    return version >= this.expiredUpTo;
  }

  private record(type: EventType, ref: NamedRef, object: KubeObject, previous: KubeObject | undefined): void {
    const event: ChangeEvent = {
      version: this.counter,
      type,
      group: ref.group,
      plural: ref.plural,
      namespace: ref.namespace,
      object,
      previous,
    };
    this.history.push(event);
    while (this.history.length > this.historyLimit) this.expiredUpTo = (this.history.shift() as ChangeEvent).version;
    this.notify(event);
  }

  private static resource(ref: ResourceRef): string {
    return ref.group === '' ? ref.plural : `${ref.plural}.${ref.group}`;
  }

  private static keyOf(ref: NamedRef): string {
    return objectKey(ref.group, ref.plural, ref.namespace, ref.name);
  }

  /** Namespaced objects carry metadata.namespace; cluster-scoped ones (namespace '') do not. */
  private static namespaceOf(ref: { namespace: string }): { namespace?: string } {
    return ref.namespace === '' ? {} : { namespace: ref.namespace };
  }

  private static notFound(ref: ResourceRef, name: string): HttpFailure {
    return new HttpFailure(404, 'NotFound', `${FakeKubeState.resource(ref)} "${name}" not found`, {
      name,
      group: ref.group,
      kind: ref.plural,
    });
  }

  private static conflict(ref: NamedRef): HttpFailure {
    return new HttpFailure(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${FakeKubeState.resource(ref)} "${ref.name}": the object has been modified; please apply your changes to the latest version and try again`,
      { name: ref.name, group: ref.group, kind: ref.plural },
    );
  }

  get(ref: NamedRef): KubeObject {
    const found = this.objects.get(FakeKubeState.keyOf(ref));
    if (!found) throw FakeKubeState.notFound(ref, ref.name);
    return found;
  }

  /** The objects of a collection (every namespace when `namespace` is undefined) that match the selector. */
  select(filter: WatchFilter): Array<{ namespace: string; object: KubeObject }> {
    const prefix =
      filter.namespace === undefined ? `${filter.group}/${filter.plural}/` : objectKey(filter.group, filter.plural, filter.namespace, '');
    const found: Array<{ namespace: string; object: KubeObject }> = [];
    for (const [key, object] of this.objects) {
      if (!key.startsWith(prefix) || (filter.selector && !filter.selector.matches(labelsOf(object)))) continue;
      found.push({ namespace: key.slice(`${filter.group}/${filter.plural}/`.length).split('/')[0] as string, object });
    }
    return found;
  }

  list(ref: ResourceRef, selector: LabelSelector | undefined): Record<string, unknown> {
    const items = this.select({ ...ref, selector }).map(({ object }) => object);
    return { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: this.currentVersion() }, items };
  }

  create(ref: ResourceRef & { namespace: string }, body: KubeObject): KubeObject {
    const name = body.metadata['name'];
    if (typeof name !== 'string' || name === '') throw new HttpFailure(422, 'Invalid', 'metadata.name: Required value: name is required');
    if (body.metadata['namespace'] !== undefined && body.metadata['namespace'] !== (ref.namespace || undefined)) {
      throw new HttpFailure(400, 'BadRequest', 'the namespace of the provided object does not match the namespace sent on the request');
    }
    const key = FakeKubeState.keyOf({ ...ref, name });
    if (this.objects.has(key)) {
      throw new HttpFailure(409, 'AlreadyExists', `${FakeKubeState.resource(ref)} "${name}" already exists`, {
        name,
        group: ref.group,
        kind: ref.plural,
      });
    }
    const metadata = {
      ...body.metadata,
      ...FakeKubeState.namespaceOf(ref),
      uid: randomUUID(),
      creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      generation: 1,
      resourceVersion: this.nextVersion(),
    };
    const stored: KubeObject = { ...body, metadata };
    this.objects.set(key, stored);
    this.record('ADDED', { ...ref, name }, stored, undefined);
    return stored;
  }

  /** The compare-and-swap: the body must carry the stored resourceVersion (unless `force`, for test-side writes). */
  replace(ref: NamedRef, body: KubeObject, force = false): KubeObject {
    const current = this.get(ref);
    if (body.metadata['name'] !== ref.name) {
      throw new HttpFailure(
        400,
        'BadRequest',
        `the name of the object (${String(body.metadata['name'])}) does not match the name on the URL (${ref.name})`,
      );
    }
    if (!force && body.metadata['resourceVersion'] !== current.metadata['resourceVersion']) throw FakeKubeState.conflict(ref);
    const generation = Number(current.metadata['generation'] ?? 1) + (content(body) === content(current) ? 0 : 1);
    const kept = { uid: current.metadata['uid'], creationTimestamp: current.metadata['creationTimestamp'] };
    const metadata = { ...body.metadata, ...kept, ...FakeKubeState.namespaceOf(ref), generation, resourceVersion: this.nextVersion() };
    return this.store(ref, { ...body, metadata }, current);
  }

  private store(ref: NamedRef, stored: KubeObject, previous: KubeObject): KubeObject {
    this.objects.set(FakeKubeState.keyOf(ref), stored);
    this.record('MODIFIED', ref, stored, previous);
    return stored;
  }

  /** A PUT to `/status`: only `status` changes; a resourceVersion in the body is a precondition. */
  replaceStatus(ref: NamedRef, body: KubeObject): KubeObject {
    const current = this.get(ref);
    if (body.metadata['name'] !== undefined && body.metadata['name'] !== ref.name) {
      throw new HttpFailure(
        400,
        'BadRequest',
        `the name of the object (${String(body.metadata['name'])}) does not match the name on the URL (${ref.name})`,
      );
    }
    const wanted = body.metadata['resourceVersion'];
    if (wanted !== undefined && wanted !== current.metadata['resourceVersion']) throw FakeKubeState.conflict(ref);
    return this.writeStatus(ref, current, body['status']);
  }

  private writeStatus(ref: NamedRef, current: KubeObject, status: unknown): KubeObject {
    if (jsonEqual(status, current['status'])) return current;
    const { status: _old, ...rest } = current;
    const next: KubeObject = {
      ...rest,
      ...(status === undefined ? {} : { status }),
      metadata: { ...current.metadata, resourceVersion: this.nextVersion() },
    };
    return this.store(ref, next, current);
  }

  /**
   * PATCH of the object or of its status. The identity fields of metadata cannot be patched; a
   * resourceVersion the patch sets is a precondition, as on a real API server.
   */
  patch(ref: NamedRef, contentType: string, body: unknown): KubeObject {
    const current = this.get(ref);
    const patched = applyPatchBody(current, contentType, body);
    const wanted = patched.metadata['resourceVersion'];
    if (wanted !== undefined && wanted !== current.metadata['resourceVersion']) throw FakeKubeState.conflict(ref);
    if (ref.subresource === 'status') return this.writeStatus(ref, current, patched['status']);
    const identity = {
      name: ref.name,
      ...FakeKubeState.namespaceOf(ref),
      uid: current.metadata['uid'],
      creationTimestamp: current.metadata['creationTimestamp'],
    };
    const unchanged = {
      ...patched,
      metadata: {
        ...patched.metadata,
        ...identity,
        resourceVersion: current.metadata['resourceVersion'],
        generation: current.metadata['generation'],
      },
    };
    if (jsonEqual(unchanged, current)) return current;
    const generation = Number(current.metadata['generation'] ?? 1) + (content(patched) === content(current) ? 0 : 1);
    return this.store(ref, { ...patched, metadata: { ...unchanged.metadata, generation, resourceVersion: this.nextVersion() } }, current);
  }

  remove(ref: NamedRef): KubeObject {
    const current = this.get(ref);
    this.objects.delete(FakeKubeState.keyOf(ref));
    // The DELETED event carries the deletion's version, so a watch resuming from it does not see it again.
    const final = { ...current, metadata: { ...current.metadata, resourceVersion: this.nextVersion() } };
    this.record('DELETED', ref, final, current);
    return current;
  }
}

/** A single object; a path without `namespaces/<ns>` names a cluster-scoped object (stored under namespace ''). */
function named(ref: ResourceRef): NamedRef {
  if (ref.name === undefined)
    throw new HttpFailure(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
  return { ...ref, namespace: ref.namespace ?? '', name: ref.name };
}

function mediaType(req: IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
}

async function route(
  state: FakeKubeState,
  req: IncomingMessage,
  ref: ResourceRef,
  query: URLSearchParams,
): Promise<{ code: number; body: unknown }> {
  const status = ref.subresource === 'status';
  switch (req.method) {
    case 'GET':
      return ref.name === undefined ? { code: 200, body: state.list(ref, selectorOf(query)) } : { code: 200, body: state.get(named(ref)) };
    case 'POST':
      if (ref.name !== undefined) break;
      return { code: 201, body: state.create({ ...ref, namespace: ref.namespace ?? '' }, await readJson(req)) };
    case 'PUT':
      return {
        code: 200,
        body: status ? state.replaceStatus(named(ref), await readJson(req)) : state.replace(named(ref), await readJson(req)),
      };
    case 'PATCH':
      return { code: 200, body: state.patch(named(ref), mediaType(req), await readBody(req)) };
    case 'DELETE':
      if (status) break;
      return { code: 200, body: state.remove(named(ref)) };
    default:
      break;
  }
  throw new HttpFailure(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
}

function send(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function isWatch(query: URLSearchParams): boolean {
  const watch = query.get('watch');
  return watch === 'true' || watch === '1';
}

/** Open watch streams, and the test's controls over them. */
class Watches {
  readonly open = new Set<OpenWatch>();
  private waiters: Array<{ count: number; resolve: () => void }> = [];
  private failure: { code: number; times: number; path: string | undefined } | undefined;

  constructor(private readonly state: () => FakeKubeState) {}

  fail(code: number, options: FailWatchesOptions): void {
    this.failure = code === 0 ? undefined : { code, times: options.times ?? Number.POSITIVE_INFINITY, path: options.path };
  }

  /** The status code a watch of `path` must fail with, if a failure is armed for it. */
  takeFailure(path: string): number | undefined {
    const failure = this.failure;
    if (!failure || (failure.path !== undefined && failure.path !== path)) return undefined;
    failure.times -= 1;
    if (failure.times <= 0) this.failure = undefined;
    return failure.code;
  }

  waitFor(count: number): Promise<void> {
    if (this.open.size >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  closeAll(): void {
    for (const watch of [...this.open]) {
      this.open.delete(watch);
      watch.res.end();
    }
  }

  silenceAll(): void {
    for (const watch of this.open) watch.silent = true;
  }

  broadcast(event: ChangeEvent): void {
    for (const watch of this.open) {
      const seen = watch.silent ? undefined : eventFor(watch.filter, event);
      if (seen) watch.res.write(`${JSON.stringify(seen)}\n`);
    }
  }

  /** Sends the headers at once, then what happened after `from` (or every object), then live changes. */
  serve(res: ServerResponse, filter: WatchFilter, from: string | null): void {
    const state = this.state();
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    res.flushHeaders();
    const version = Number(from || '0');
    if (version > 0 && !state.canResumeFrom(version)) {
      const expired = statusBody(
        410,
        'Expired',
        `too old resource version: ${version} (${state.history[0]?.version ?? state.currentVersion()})`,
      );
      res.end(`${JSON.stringify({ type: 'ERROR', object: expired })}\n`);
      return;
    }
    const initial =
      version > 0
        ? state.history.filter((event) => event.version > version).map((event) => eventFor(filter, event))
        : state.select(filter).map(({ object }) => ({ type: 'ADDED', object }));
    for (const event of initial) if (event) res.write(`${JSON.stringify(event)}\n`);
    const watch: OpenWatch = { filter, res, silent: false };
    this.open.add(watch);
    res.on('close', () => this.open.delete(watch));
    this.waiters = this.waiters.filter((waiter) => {
      if (this.open.size < waiter.count) return true;
      waiter.resolve();
      return false;
    });
  }
}

/** Starts the fake on a free port of 127.0.0.1. */
export async function startFakeKubeApi(options: FakeKubeApiOptions = {}): Promise<FakeKubeApi> {
  const watches: Watches = new Watches(() => state);
  const state = new FakeKubeState(options.historyLimit ?? 1000, (event) => watches.broadcast(event));
  const requests: FakeKubeRequest[] = [];
  const failures: FakeKubeFailure[] = [];
  const hangs: Array<Required<Pick<FakeKubeHang, 'method' | 'times'>> & { path: RegExp | undefined }> = [];
  const hung: ServerResponse[] = [];
  let hungWaiters: Array<{ count: number; resolve: () => void }> = [];

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const record: FakeKubeRequest = { method: req.method ?? '', path: url.pathname, query: url.search, status: 0 };
    requests.push(record);
    const answer = (code: number, body: unknown): void => {
      record.status = code;
      send(res, code, body);
    };
    const fail = (err: unknown): void => {
      if (err instanceof HttpFailure) answer(err.code, statusBody(err.code, err.reason, err.message, err.details));
      else answer(500, statusBody(500, 'InternalError', String(err)));
    };
    const hangAt = hangs.findIndex((h) => h.method === req.method && (h.path === undefined || h.path.test(url.pathname)));
    if (hangAt >= 0) {
      const h = hangs[hangAt] as (typeof hangs)[number];
      if (--h.times <= 0) hangs.splice(hangAt, 1);
      hung.push(res);
      hungWaiters = hungWaiters.filter((w) => (hung.length >= w.count ? void w.resolve() : true));
      return;
    }
    const failure = failures.findIndex((f) => f.method === req.method);
    if (failure >= 0) {
      const [{ code, reason, message }] = failures.splice(failure, 1) as [FakeKubeFailure];
      answer(code, statusBody(code, reason, message));
      return;
    }
    const ref = parsePath(url.pathname);
    if (!ref) {
      answer(404, statusBody(404, 'NotFound', 'the server could not find the requested resource'));
      return;
    }
    if (req.method === 'GET' && ref.name === undefined && isWatch(url.searchParams)) {
      const failed = watches.takeFailure(url.pathname);
      if (failed !== undefined) {
        answer(failed, statusBody(failed, (STATUS_CODES[failed] ?? 'Unknown').replace(/\s+/g, ''), 'watch refused by the test'));
        return;
      }
      try {
        const filter: WatchFilter = {
          group: ref.group,
          plural: ref.plural,
          namespace: ref.namespace,
          selector: selectorOf(url.searchParams),
        };
        record.status = 200;
        watches.serve(res, filter, url.searchParams.get('resourceVersion'));
      } catch (err) {
        fail(err);
      }
      return;
    }
    route(state, req, ref, url.searchParams).then(({ code, body }) => answer(code, body), fail);
  };

  const server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  const testRef = (group: string, version: string, plural: string, namespace: string, name: string): NamedRef => ({
    group,
    version,
    plural,
    namespace,
    name,
    subresource: undefined,
  });

  return {
    url: `http://127.0.0.1:${port}`,
    objects: () => new Map([...state.objects].map(([key, object]) => [key, structuredClone(object)])),
    requests,
    failNext: (failure) => {
      failures.push(failure);
    },
    hang: (h) => {
      hangs.push({ method: h.method, path: h.path, times: h.times ?? 1 });
    },
    waitForHung: (count) => (hung.length >= count ? Promise.resolve() : new Promise((resolve) => hungWaiters.push({ count, resolve }))),
    resourceVersion: () => state.currentVersion(),
    put: (group, version, plural, obj) => {
      const body = asObject(structuredClone(obj));
      body['apiVersion'] ??= group === '' ? version : `${group}/${version}`;
      const namespace = typeof body.metadata['namespace'] === 'string' ? body.metadata['namespace'] : '';
      const ref = testRef(group, version, plural, namespace, String(body.metadata['name'] ?? ''));
      const exists = state.objects.has(objectKey(group, plural, namespace, ref.name));
      return structuredClone(exists ? state.replace(ref, body, true) : state.create(ref, body));
    },
    delete: (group, version, plural, namespace, name) => {
      state.remove(testRef(group, version, plural, namespace, name));
    },
    openWatches: () => watches.open.size,
    waitForWatches: (count) => watches.waitFor(count),
    closeWatches: () => watches.closeAll(),
    silenceWatches: () => watches.silenceAll(),
    failWatches: (code, failOptions = {}) => watches.fail(code, failOptions),
    close: async () => {
      watches.closeAll();
      for (const res of hung.splice(0)) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
