/**
 * A minimal Kubernetes API server over HTTP on 127.0.0.1 for tests that drive the real
 * @kubernetes/client-node against it. It keeps the semantics the controller relies on rather than
 * canned answers: one resourceVersion counter for all objects (as etcd has), bumped on every write;
 * PUT is a compare-and-swap on metadata.resourceVersion; POST of an existing name and GET of a
 * missing one fail with the same `Status` bodies a real API server sends. It knows nothing about any
 * particular kind, so any group/plural works (core `/api/v1/...` included), and later watch tests can
 * build on the same object map and counter.
 *
 * Not modelled: schema validation and pruning, generateName, subresources, PATCH, watch.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';

export interface FakeKubeRequest {
  method: string;
  /** URL path without the query string */
  path: string;
  /** the query string, with its leading `?` ('' when none) */
  query: string;
  /** HTTP status the fake answered with */
  status: number;
}

/** A one-shot failure answered to the next request with this method, before any other handling. */
export interface FakeKubeFailure {
  method: string;
  code: number;
  reason: string;
  message: string;
}

export interface FakeKubeApi {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Deep copies of the stored objects, keyed by objectKey(group, plural, namespace, name). */
  objects(): Map<string, unknown>;
  /** Every request received, in order. */
  requests: FakeKubeRequest[];
  /** Makes the next request with `failure.method` fail with that status (HTTP errors the fake does not produce by itself). */
  failNext(failure: FakeKubeFailure): void;
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
}

type KubeObject = Record<string, unknown> & { metadata: Record<string, unknown> };

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
  constructor(readonly code: number, readonly reason: string, message: string, readonly details?: Record<string, unknown>) {
    super(message);
  }
}

/** `/api/v1/...` or `/apis/<group>/<version>/...`, then `[namespaces/<ns>/]<plural>[/<name>]`. */
function parsePath(pathname: string): ResourceRef | undefined {
  const parts = pathname.split('/').filter((p) => p !== '').map((p) => decodeURIComponent(p));
  let group: string;
  let version: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 2) [group, version, rest] = ['', parts[1] as string, parts.slice(2)];
  else if (parts[0] === 'apis' && parts.length >= 3) [group, version, rest] = [parts[1] as string, parts[2] as string, parts.slice(3)];
  else return undefined;
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) [namespace, rest] = [rest[1], rest.slice(2)];
  if (rest.length < 1 || rest.length > 2) return undefined;
  return { group, version, namespace, plural: rest[0] as string, name: rest[1] };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function readJson(req: IncomingMessage): Promise<KubeObject> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (err) {
    throw new HttpFailure(400, 'BadRequest', `the request body is not valid JSON: ${(err as Error).message}`);
  }
  if (!isRecord(body)) throw new HttpFailure(400, 'BadRequest', 'the request body must be a JSON object');
  return { ...body, metadata: isRecord(body['metadata']) ? { ...body['metadata'] } : {} };
}

/** Everything but metadata, to decide whether a write changes the object's generation. */
function content(object: KubeObject): string {
  const { metadata: _metadata, ...rest } = object;
  return JSON.stringify(rest);
}

class FakeKubeState {
  readonly objects = new Map<string, KubeObject>();
  private counter = 0;

  private nextVersion(): string {
    this.counter += 1;
    return String(this.counter);
  }

  currentVersion(): string {
    return String(this.counter);
  }

  private static resource(ref: ResourceRef): string {
    return ref.group === '' ? ref.plural : `${ref.plural}.${ref.group}`;
  }

  private static keyOf(ref: ResourceRef & { namespace: string; name: string }): string {
    return objectKey(ref.group, ref.plural, ref.namespace, ref.name);
  }

  /** Namespaced objects carry metadata.namespace; cluster-scoped ones (namespace '') do not. */
  private static namespaceOf(ref: { namespace: string }): { namespace?: string } {
    return ref.namespace === '' ? {} : { namespace: ref.namespace };
  }

  private static notFound(ref: ResourceRef, name: string): HttpFailure {
    return new HttpFailure(404, 'NotFound', `${FakeKubeState.resource(ref)} "${name}" not found`, { name, group: ref.group, kind: ref.plural });
  }

  get(ref: ResourceRef & { namespace: string; name: string }): KubeObject {
    const found = this.objects.get(FakeKubeState.keyOf(ref));
    if (!found) throw FakeKubeState.notFound(ref, ref.name);
    return found;
  }

  list(ref: ResourceRef): Record<string, unknown> {
    const prefix = ref.namespace === undefined ? `${ref.group}/${ref.plural}/` : objectKey(ref.group, ref.plural, ref.namespace, '');
    const items = [...this.objects].filter(([key]) => key.startsWith(prefix)).map(([, object]) => object);
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
      throw new HttpFailure(409, 'AlreadyExists', `${FakeKubeState.resource(ref)} "${name}" already exists`, { name, group: ref.group, kind: ref.plural });
    }
    const metadata = { ...body.metadata, ...FakeKubeState.namespaceOf(ref), uid: randomUUID(), creationTimestamp: new Date().toISOString(), generation: 1, resourceVersion: this.nextVersion() };
    const stored: KubeObject = { ...body, metadata };
    this.objects.set(key, stored);
    return stored;
  }

  /** The compare-and-swap: the body must carry the stored resourceVersion. */
  replace(ref: ResourceRef & { namespace: string; name: string }, body: KubeObject): KubeObject {
    const current = this.get(ref);
    if (body.metadata['name'] !== ref.name) {
      throw new HttpFailure(400, 'BadRequest', `the name of the object (${String(body.metadata['name'])}) does not match the name on the URL (${ref.name})`);
    }
    if (body.metadata['resourceVersion'] !== current.metadata['resourceVersion']) {
      throw new HttpFailure(
        409,
        'Conflict',
        `Operation cannot be fulfilled on ${FakeKubeState.resource(ref)} "${ref.name}": the object has been modified; please apply your changes to the latest version and try again`,
        { name: ref.name, group: ref.group, kind: ref.plural },
      );
    }
    const generation = Number(current.metadata['generation'] ?? 1) + (content(body) === content(current) ? 0 : 1);
    const kept = { uid: current.metadata['uid'], creationTimestamp: current.metadata['creationTimestamp'] };
    const metadata = { ...body.metadata, ...kept, ...FakeKubeState.namespaceOf(ref), generation, resourceVersion: this.nextVersion() };
    const stored: KubeObject = { ...body, metadata };
    this.objects.set(FakeKubeState.keyOf(ref), stored);
    return stored;
  }

  remove(ref: ResourceRef & { namespace: string; name: string }): KubeObject {
    const current = this.get(ref);
    this.objects.delete(FakeKubeState.keyOf(ref));
    this.nextVersion();
    return current;
  }
}

/** A single object; a path without `namespaces/<ns>` names a cluster-scoped object (stored under namespace ''). */
function named(ref: ResourceRef): ResourceRef & { namespace: string; name: string } {
  if (ref.name === undefined) throw new HttpFailure(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
  return { ...ref, namespace: ref.namespace ?? '', name: ref.name };
}

async function route(state: FakeKubeState, req: IncomingMessage, ref: ResourceRef): Promise<{ code: number; body: unknown }> {
  switch (req.method) {
    case 'GET':
      return ref.name === undefined ? { code: 200, body: state.list(ref) } : { code: 200, body: state.get(named(ref)) };
    case 'POST':
      if (ref.name !== undefined) break;
      return { code: 201, body: state.create({ ...ref, namespace: ref.namespace ?? '' }, await readJson(req)) };
    case 'PUT':
      return { code: 200, body: state.replace(named(ref), await readJson(req)) };
    case 'DELETE':
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

/** Starts the fake on a free port of 127.0.0.1. */
export async function startFakeKubeApi(): Promise<FakeKubeApi> {
  const state = new FakeKubeState();
  const requests: FakeKubeRequest[] = [];
  const failures: FakeKubeFailure[] = [];

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const record: FakeKubeRequest = { method: req.method ?? '', path: url.pathname, query: url.search, status: 0 };
    requests.push(record);
    const answer = (code: number, body: unknown): void => {
      record.status = code;
      send(res, code, body);
    };
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
    route(state, req, ref).then(
      ({ code, body }) => answer(code, body),
      (err: unknown) => {
        if (err instanceof HttpFailure) answer(err.code, statusBody(err.code, err.reason, err.message, err.details));
        else answer(500, statusBody(500, 'InternalError', String(err)));
      },
    );
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    objects: () => new Map([...state.objects].map(([key, object]) => [key, structuredClone(object)])),
    requests,
    failNext: (failure) => {
      failures.push(failure);
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
