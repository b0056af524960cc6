/**
 * A stateful fake BIG-IP (iControl REST login + AS3 3.56 service) for integration tests of the
 * REST client and the apply engine. It plays what we believe a device does
 * (/work/shared/reference/as3-api.md): token auth, `/info`, the stored declaration, per-tenant
 * POST with 200/207/422 results, per-application endpoints (AS3 ≥ 3.50), async tasks, the
 * one-write-at-a-time lock (503), and the reference checks offline validation cannot do
 * (dangling `use` pointers, unknown `/Common/...` objects). Tests steer it with fault injection
 * (failNext, resetNext, delayNext) and inspect what it received (posts, logins, tenants()).
 *
 * Deliberately stricter than a device in one place: a bare pointer name must be in the same
 * application (no implicit fallback to the tenant's or /Common's Shared application), so the
 * controller cannot come to rely on a lookup rule we have not confirmed.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isDeepStrictEqual } from 'node:util';
import type { As3Tenant } from '../../src/model/as3-types.js';
import { compareVersions } from '../../src/lib/version.js';
import { officialSchemaErrors } from './as3-validation.js';

type Json = Record<string, unknown>;

/** BIG-IP objects every test device has unless `knownObjects` says otherwise. */
export const DEFAULT_KNOWN_OBJECTS: readonly string[] = [
  '/Common/http',
  '/Common/tcp',
  '/Common/clientssl',
  '/Common/serverssl',
  '/Common/http2',
  '/Common/oneconnect',
];

export interface FakeBigipOptions {
  /** Credentials `POST /mgmt/shared/authn/login` accepts (default admin/admin). */
  username?: string;
  password?: string;
  /** AS3 version `/info` reports (default '3.56.0'); below 3.50 the per-application endpoints answer 404. */
  version?: string;
  /** Highest `schemaVersion` accepted (default: `version`). */
  schemaCurrent?: string;
  /** Paths `{bigip: ...}` may name; replaces DEFAULT_KNOWN_OBJECTS. */
  knownObjects?: string[];
  /** `GET /task/<id>` answers "in progress" this many times before the task completes (default 1). */
  asyncPollsBeforeDone?: number;
  /** Validate requests against the official AS3 schema when it is present (default true). */
  officialSchema?: boolean;
  /** Told what the device did and how long its own work took (benchmarks separate it from the client's). */
  observe?: (event: FakeBigipTiming) => void;
}

/**
 * `request`: one request answered; `ms` is the device's own work (parsing the body, checking,
 * storing, answering), not the time on the wire. `executed`: a write took effect at `at` (epoch ms).
 */
export type FakeBigipTiming =
  | { type: 'request'; method: string; path: string; receivedAt: number; ms: number }
  | { type: 'executed'; at: number; ms: number; body: unknown };

/** One write request (POST/DELETE under /declare) as received, also when it was rejected. */
export interface RecordedWrite {
  method: string;
  /** Path and query string, e.g. `/mgmt/shared/appsvcs/declare/T1,T2?async=true`. */
  path: string;
  /** Tenants named in the URL (per-application paths: their one tenant); undefined for `/declare`. */
  tenantsInUrl: string[] | undefined;
  body: unknown;
}

export interface FakeBigip {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly posts: RecordedWrite[];
  /** Successful logins so far. */
  readonly logins: number;
  /** A deep copy of the stored tenants. */
  tenants(): Record<string, As3Tenant>;
  /** Stores a tenant as if deployed earlier (undefined removes it), e.g. a foreign tenant. */
  setTenant(name: string, tenant: As3Tenant | undefined): void;
  /** Invalidates every token: the next request with one gets 401, the client must log in again. */
  expireTokens(): void;
  /** The next `count` write requests answer `status` (with `body`) and change nothing. */
  failNext(count: number, status: number, body?: unknown): void;
  /** The next `count` requests of any kind get their connection destroyed (ECONNRESET). */
  resetNext(count: number): void;
  /** The next request answers after `ms` (a write holds the device lock meanwhile). */
  delayNext(ms: number): void;
  close(): Promise<void>;
}

interface Reply {
  status: number;
  body?: unknown;
}

type Write =
  | { op: 'deploy'; tenants: string[] | undefined }
  | { op: 'deleteTenants'; tenants: string[] | undefined }
  | { op: 'deployApps'; tenant: string }
  | { op: 'deleteApp'; tenant: string; app: string };

type Route =
  | { kind: 'login' }
  | { kind: 'info' }
  | { kind: 'notFound' }
  | { kind: 'getDeclare'; tenants: string[] | undefined }
  | { kind: 'task'; id: string }
  | { kind: 'write'; write: Write };

/** A posted async declaration: it runs (and releases the lock) on the poll after the last "in progress". */
interface Task {
  polls: number;
  run: () => Reply;
  final?: Json;
}

type TenantView = (tenant: string) => Json | undefined;

const LOGIN = '/mgmt/shared/authn/login';
const APPSVCS = '/mgmt/shared/appsvcs';
const BUSY_BODY = { code: 503, message: 'Error: Configuration operation in progress on device localhost, please try again in 2 minutes' };
const NOT_REGISTERED =
  'Public URI path not registered. Please see /var/log/restjavad.0.log and /var/log/restnoded/restnoded.log for details.';

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isApplication(value: unknown): boolean {
  return isObject(value) && value['class'] === 'Application';
}

/** Names of a tenant's applications; a tenant without any is a delete request (as CIS and AS3's DELETE send it). */
function applicationNames(tenant: Json): string[] {
  return Object.keys(tenant).filter((k) => isApplication(tenant[k]));
}

/** 422 for a request AS3 refuses as a whole (nothing applied); AS3 reports only the first error. */
function invalid(error: string): Reply {
  return { status: 422, body: { code: 422, message: 'declaration is invalid', errors: [error], host: 'localhost' } };
}

function tenantResult(tenant: string, code: number, message: string, response?: string): Json {
  return { code, message, tenant, host: 'localhost', ...(response === undefined ? {} : { response }) };
}

function parseRoute(method: string, pathname: string): Route {
  if (pathname === LOGIN) return method === 'POST' ? { kind: 'login' } : { kind: 'notFound' };
  if (!pathname.startsWith(`${APPSVCS}/`)) return { kind: 'notFound' };
  const parts = pathname.slice(APPSVCS.length).split('/').filter(Boolean).map(decodeURIComponent);
  const [endpoint, first, second, third] = parts;
  if (endpoint === 'info' && parts.length === 1 && method === 'GET') return { kind: 'info' };
  if (endpoint === 'task' && first !== undefined && parts.length === 2 && method === 'GET') return { kind: 'task', id: first };
  if (endpoint !== 'declare' || parts.length > 4) return { kind: 'notFound' };
  const tenants = first?.split(',');
  if (second === 'applications' && first !== undefined) {
    if (method === 'POST' && third === undefined) return { kind: 'write', write: { op: 'deployApps', tenant: first } };
    if (method === 'DELETE' && third !== undefined) return { kind: 'write', write: { op: 'deleteApp', tenant: first, app: third } };
    return { kind: 'notFound' };
  }
  if (second !== undefined) return { kind: 'notFound' };
  if (method === 'GET') return { kind: 'getDeclare', tenants };
  if (method === 'POST') return { kind: 'write', write: { op: 'deploy', tenants } };
  if (method === 'DELETE') return { kind: 'write', write: { op: 'deleteTenants', tenants } };
  return { kind: 'notFound' };
}

function tenantsInUrl(route: Route): string[] | undefined {
  if (route.kind !== 'write') return undefined;
  const w = route.write;
  return w.op === 'deploy' || w.op === 'deleteTenants' ? w.tenants : [w.tenant];
}

/** The AS3 request a body stands for: an `AS3` request as is, a bare `ADC` declaration wrapped (action deploy). */
function asAs3Request(body: unknown): Json | string {
  if (!isObject(body)) return 'Invalid request: body must be an AS3 request or an ADC declaration';
  const request = body['class'] === 'ADC' ? { class: 'AS3', action: 'deploy', persist: true, declaration: body } : body;
  if (request['class'] !== 'AS3' || !isObject(request['declaration']))
    return 'Invalid request: body must be an AS3 request or an ADC declaration';
  const action = request['action'] ?? 'deploy';
  if (action !== 'deploy') return `Invalid request: action '${String(action)}' is not supported by the fake BIG-IP`;
  return request;
}

/** Pointers AS3 accepts as plain strings at the top of an object (names of objects, not built-in names). */
function stringPointers(object: Json): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const cls = String(object['class']);
  if (cls.startsWith('Service_')) {
    for (const key of ['pool', 'policyEndpoint', 'iRules', 'serverTLS', 'clientTLS']) {
      const value = object[key];
      if (typeof value === 'string') out.push([key, value]);
      if (Array.isArray(value))
        value.forEach((v, i) => {
          if (typeof v === 'string') out.push([`${key}/${i}`, v]);
        });
    }
  }
  if (cls === 'TLS_Server' && Array.isArray(object['certificates'])) {
    object['certificates'].forEach((c: unknown, i) => {
      if (isObject(c) && typeof c['certificate'] === 'string') out.push([`certificates/${i}/certificate`, c['certificate']]);
    });
  }
  return out;
}

/** Whether `/T/A/name` (deeper segments ignored) names an object in the tenants as they will be. */
function pathExists(view: TenantView, absolute: string): boolean {
  const [, tenant, app, name] = absolute.split('/');
  if (tenant === undefined || app === undefined || name === undefined) return false;
  const application = view(tenant)?.[app];
  return isObject(application) && isObject(application[name]);
}

/**
 * What only a device finds: pointers to objects that do not exist. `use`/string pointers are
 * resolved as AS3 does for explicit paths ('x' = same application, 'A/x' = same tenant, '/T/A/x'
 * absolute); `{bigip}` must be a known device object (or an AS3 object that will exist).
 */
function referenceProblems(tenant: string, body: Json, view: TenantView, known: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  const check = (app: string, target: string, path: string, device: boolean): void => {
    const absolute =
      device || target.startsWith('/') ? target : target.includes('/') ? `/${tenant}/${target}` : `/${tenant}/${app}/${target}`;
    if ((device && known.has(absolute)) || pathExists(view, absolute)) return;
    problems.push(`${path}: ${device ? 'BIG-IP object' : 'pointer target'} ${absolute} does not exist`);
  };
  const walk = (app: string, value: unknown, path: string): void => {
    if (Array.isArray(value)) return value.forEach((v, i) => walk(app, v, `${path}/${i}`));
    if (!isObject(value)) return;
    if (typeof value['use'] === 'string') check(app, value['use'], path, false);
    if (typeof value['bigip'] === 'string') check(app, value['bigip'], path, true);
    for (const [key, child] of Object.entries(value)) walk(app, child, `${path}/${key}`);
  };
  for (const app of applicationNames(body)) {
    for (const [name, object] of Object.entries(body[app] as Json)) {
      if (!isObject(object)) continue;
      const path = `/${tenant}/${app}/${name}`;
      for (const [key, target] of stringPointers(object)) check(app, target, `${path}/${key}`, false);
      walk(app, object, path);
    }
  }
  return problems;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, reply: Reply): void {
  if (reply.body === undefined) {
    res.writeHead(reply.status).end();
    return;
  }
  res.writeHead(reply.status, { 'Content-Type': 'application/json' }).end(JSON.stringify(reply.body));
}

class FakeBigipServer implements FakeBigip {
  url = '';
  readonly posts: RecordedWrite[] = [];
  logins = 0;
  private readonly server: Server;
  private readonly stored = new Map<string, As3Tenant>();
  /** ADC-level properties of the last applied request, returned by GET /declare. */
  private meta: Json;
  private readonly tokens = new Set<string>();
  private readonly tasks = new Map<string, Task>();
  private readonly known: ReadonlySet<string>;
  private readonly version: string;
  private readonly schemaCurrent: string;
  /** AS3's global configuration lock: held by a running sync write or an unfinished async task. */
  private busy = false;
  private failures: Reply[] = [];
  private resets = 0;
  private delayMs = 0;

  constructor(private readonly options: FakeBigipOptions) {
    this.version = options.version ?? '3.56.0';
    this.schemaCurrent = options.schemaCurrent ?? this.version;
    this.known = new Set(options.knownObjects ?? DEFAULT_KNOWN_OBJECTS);
    this.meta = { schemaVersion: this.schemaCurrent, id: 'autogen_fake-bigip' };
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent)
          send(res, { status: 500, body: { code: 500, message: `An unexpected error occurred. Error: ${String(error)}` } });
      });
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  tenants(): Record<string, As3Tenant> {
    return structuredClone(Object.fromEntries(this.stored));
  }

  setTenant(name: string, tenant: As3Tenant | undefined): void {
    if (tenant === undefined) this.stored.delete(name);
    else this.stored.set(name, structuredClone(tenant));
  }

  expireTokens(): void {
    this.tokens.clear();
  }
  failNext(count: number, status: number, body?: unknown): void {
    const reply = { status, body: body ?? (status === 503 ? BUSY_BODY : { code: status, message: 'injected failure' }) };
    for (let i = 0; i < count; i++) this.failures.push(reply);
  }
  resetNext(count: number): void {
    this.resets += count;
  }
  delayNext(ms: number): void {
    this.delayMs = ms;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    const route = parseRoute(method, url.pathname);
    const raw = await readBody(req);
    const receivedAt = Date.now();
    const started = performance.now();
    res.once('finish', () =>
      this.options.observe?.({ type: 'request', method, path: url.pathname, receivedAt, ms: performance.now() - started }),
    );
    let body: unknown;
    try {
      body = raw === '' ? undefined : JSON.parse(raw);
    } catch {
      body = raw;
    }
    if (route.kind === 'write') this.posts.push({ method, path: url.pathname + url.search, tenantsInUrl: tenantsInUrl(route), body });
    if (this.resets > 0) {
      this.resets--;
      req.socket.destroy();
      return;
    }
    const delay = this.delayMs;
    this.delayMs = 0;
    if (typeof body === 'string') return send(res, { status: 400, body: { code: 400, message: 'cannot parse JSON POST payload' } });
    if (route.kind === 'write') return send(res, await this.write(route.write, body, req, url.searchParams.get('async') === 'true', delay));
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    send(res, this.read(route, body, req));
  }

  private authorized(req: IncomingMessage): boolean {
    const token = req.headers['x-f5-auth-token'];
    return typeof token === 'string' && this.tokens.has(token);
  }

  private read(route: Exclude<Route, { kind: 'write' }>, body: unknown, req: IncomingMessage): Reply {
    if (route.kind === 'login') return this.login(body);
    if (!this.authorized(req)) return { status: 401, body: { code: 401, message: 'X-F5-Auth-Token does not exist' } };
    if (route.kind === 'info') {
      return { status: 200, body: { version: this.version, release: '1', schemaCurrent: this.schemaCurrent, schemaMinimum: '3.0.0' } };
    }
    if (route.kind === 'getDeclare') return this.storedDeclaration(route.tenants);
    if (route.kind === 'task') return this.pollTask(route.id);
    return { status: 404, body: { code: 404, message: NOT_REGISTERED } };
  }

  /** iControl REST token login; the token never expires by time, only through expireTokens(). */
  private login(body: unknown): Reply {
    const username = this.options.username ?? 'admin';
    const password = this.options.password ?? 'admin';
    if (!isObject(body) || body['username'] !== username || body['password'] !== password) {
      return { status: 401, body: { code: 401, message: 'Authentication failed.' } };
    }
    const token = randomBytes(13).toString('hex').toUpperCase();
    this.tokens.add(token);
    this.logins++;
    return { status: 200, body: { username, loginProviderName: 'tmos', token: { token, name: token, userName: username, timeout: 1200 } } };
  }

  /** GET /declare: 204 when AS3 holds nothing; else the ADC declaration (tenants only, no AS3 wrapper). */
  private storedDeclaration(only: string[] | undefined): Reply {
    if (this.stored.size === 0) return { status: 204 };
    const missing = (only ?? []).filter((t) => !this.stored.has(t));
    if (missing.length > 0)
      return { status: 404, body: { code: 404, message: `specified Tenant(s) '${missing.join(',')}' not found in declaration` } };
    const names = only ?? [...this.stored.keys()];
    return {
      status: 200,
      body: { class: 'ADC', ...this.meta, ...structuredClone(Object.fromEntries(names.map((t) => [t, this.stored.get(t)]))) },
    };
  }

  private async write(write: Write, body: unknown, req: IncomingMessage, async: boolean, delay: number): Promise<Reply> {
    if (!this.authorized(req)) return { status: 401, body: { code: 401, message: 'X-F5-Auth-Token does not exist' } };
    const failure = this.failures.shift();
    if (failure) return failure;
    const perApp = write.op === 'deployApps' || write.op === 'deleteApp';
    if (perApp && compareVersions(this.version, '3.50.0') < 0) return { status: 404, body: { code: 404, message: NOT_REGISTERED } };
    if (this.busy) return { status: 503, body: BUSY_BODY };
    this.busy = true;
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    const run = (): Reply => {
      const started = performance.now();
      const reply = this.execute(write, body);
      this.options.observe?.({ type: 'executed', at: Date.now(), ms: performance.now() - started, body });
      return reply;
    };
    if (!async) {
      try {
        return run();
      } finally {
        this.busy = false;
      }
    }
    const id = randomUUID();
    this.tasks.set(id, { polls: 0, run });
    const selfLink = `https://localhost/mgmt/shared/appsvcs/task/${id}`;
    return {
      status: 202,
      body: {
        id,
        results: [{ message: 'Declaration successfully submitted', tenant: '', host: '', runTime: 0, code: 0 }],
        declaration: {},
        selfLink,
      },
    };
  }

  /** A finished task's record has the sync body's shape; a whole-request error becomes its one result. */
  private pollTask(id: string): Reply {
    const task = this.tasks.get(id);
    if (!task) return { status: 404, body: { code: 404, message: `No record found with ID of ${id}` } };
    if (!task.final) {
      if (task.polls < (this.options.asyncPollsBeforeDone ?? 1)) {
        task.polls++;
        return {
          status: 200,
          body: { id, results: [{ message: 'in progress', tenant: '', host: '', runTime: 0, code: 0 }], declaration: {} },
        };
      }
      let reply: Reply;
      try {
        reply = task.run();
      } finally {
        this.busy = false;
      }
      const body = reply.body as Json;
      task.final = Array.isArray(body['results'])
        ? { id, results: body['results'], declaration: body['declaration'] ?? {} }
        : { id, results: [{ ...body, code: reply.status, host: 'localhost', tenant: '' }], declaration: {} };
    }
    return { status: 200, body: task.final };
  }

  private execute(write: Write, body: unknown): Reply {
    switch (write.op) {
      case 'deploy':
        return this.deployDeclaration(body, write.tenants);
      case 'deployApps':
        return this.deployApplications(write.tenant, body);
      case 'deleteApp':
        return this.deleteApplication(write.tenant, write.app);
      case 'deleteTenants': {
        const names = write.tenants ?? [...this.stored.keys()];
        return this.applyTenants({ class: 'ADC', ...this.meta }, Object.fromEntries(names.map((t) => [t, { class: 'Tenant' }])));
      }
    }
  }

  /** Whole-request checks: schemaVersion ≤ schemaCurrent, then the official schema (first error only). */
  private requestError(request: Json, schemaVersion: unknown): string | undefined {
    if (typeof schemaVersion !== 'string') return '/schemaVersion: must be a string';
    if (compareVersions(schemaVersion, this.schemaCurrent) > 0) {
      return `/schemaVersion: schemaVersion ${schemaVersion} is newer than the schemaCurrent ${this.schemaCurrent} of this AS3`;
    }
    if (this.options.officialSchema === false) return undefined;
    const errors = officialSchemaErrors(request);
    if (!errors) return undefined;
    return (errors.split('\n')[0] ?? errors).replace(/^\/declaration(?=\/|:)/, '');
  }

  /** POST /declare[/T1,T2]: the tenants in the URL list ∩ body, or every tenant of the body. */
  private deployDeclaration(body: unknown, urlTenants: string[] | undefined): Reply {
    const request = asAs3Request(body);
    if (typeof request === 'string') return invalid(request);
    const adc = request['declaration'] as Json;
    const error = this.requestError(request, adc['schemaVersion']);
    if (error !== undefined) return invalid(error);
    const names = Object.keys(adc).filter(
      (k) => isObject(adc[k]) && adc[k]['class'] === 'Tenant' && (!urlTenants || urlTenants.includes(k)),
    );
    const header = Object.fromEntries(Object.entries(adc).filter(([, v]) => !(isObject(v) && v['class'] === 'Tenant')));
    return this.applyTenants(header, Object.fromEntries(names.map((t) => [t, adc[t] as As3Tenant])));
  }

  /** POST /declare/<tenant>/applications: upserts the body's applications into the tenant (created if missing). */
  private deployApplications(tenant: string, body: unknown): Reply {
    if (tenant.includes(','))
      return { status: 400, body: { code: 400, message: 'only one tenant may be given for per-application deployment' } };
    if (!isObject(body)) return invalid('/: body must be an object of Applications');
    const { schemaVersion = this.schemaCurrent, controls: _controls, ...applications } = body;
    const posted = { class: 'Tenant', ...applications } as As3Tenant;
    const request = {
      class: 'AS3',
      action: 'deploy',
      persist: true,
      declaration: { class: 'ADC', schemaVersion, id: 'per-app', [tenant]: posted },
    };
    const error = this.requestError(request, schemaVersion);
    if (error !== undefined) return invalid(error);
    if (applicationNames(posted).length === 0) return invalid('/: the request must contain at least one Application');
    const candidate = { ...(this.stored.get(tenant) ?? { class: 'Tenant' }), ...structuredClone(applications) } as As3Tenant;
    return this.applyTenants({ class: 'ADC', ...this.meta, schemaVersion }, { [tenant]: candidate });
  }

  /** DELETE /declare/<tenant>/applications/<app>; removing the last application removes the tenant. */
  private deleteApplication(tenant: string, app: string): Reply {
    const stored = this.stored.get(tenant);
    if (!stored || !isApplication(stored[app])) {
      return { status: 404, body: { code: 404, message: `specified Application '${app}' not found in Tenant '${tenant}'` } };
    }
    const { [app]: _removed, ...rest } = structuredClone(stored);
    return this.applyTenants({ class: 'ADC', ...this.meta }, { [tenant]: rest as As3Tenant });
  }

  /**
   * Applies each tenant on its own, as AS3 does: a failing tenant keeps its previous state while
   * the others commit. HTTP 200 when none failed, 207 when some did, 422 when all did.
   */
  private applyTenants(header: Json, tenants: Record<string, As3Tenant>): Reply {
    const view: TenantView = (t) => (t in tenants ? tenants[t] : this.stored.get(t));
    const results = Object.entries(tenants).map(([name, tenant]) => this.applyTenant(name, tenant, view));
    const failed = results.filter((r) => r['code'] !== 200).length;
    if (results.some((r) => r['message'] === 'success')) this.meta = this.metaOf(header);
    const status = failed === 0 ? 200 : failed < results.length ? 207 : 422;
    const shown = results.length > 0 ? results : [{ code: 200, message: 'no change', host: 'localhost' }];
    return { status, body: { results: shown, declaration: { ...header, ...structuredClone(tenants) } } };
  }

  private applyTenant(name: string, tenant: As3Tenant, view: TenantView): Json {
    if (applicationNames(tenant).length === 0) {
      if (!this.stored.has(name)) return tenantResult(name, 200, 'no change');
      this.stored.delete(name);
      return tenantResult(name, 200, 'success');
    }
    const problems = referenceProblems(name, tenant, view, this.known);
    if (problems.length > 0) return tenantResult(name, 422, 'declaration failed', problems[0]);
    if (isDeepStrictEqual(this.stored.get(name), tenant)) return tenantResult(name, 200, 'no change');
    this.stored.set(name, structuredClone(tenant));
    return tenantResult(name, 200, 'success');
  }

  /** The ADC properties GET /declare shows: schemaVersion and id, and label/remark when declared. */
  private metaOf(header: Json): Json {
    const meta: Json = { schemaVersion: header['schemaVersion'] ?? this.meta['schemaVersion'], id: header['id'] ?? this.meta['id'] };
    for (const key of ['label', 'remark']) if (typeof header[key] === 'string') meta[key] = header[key];
    return meta;
  }
}

/** Starts a fake BIG-IP on 127.0.0.1 (random port); `close()` it after the test. */
export async function startFakeBigip(options: FakeBigipOptions = {}): Promise<FakeBigip> {
  const fake = new FakeBigipServer(options);
  await fake.listen();
  return fake;
}
