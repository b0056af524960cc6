/**
 * The AS3 service of one BIG-IP over HTTPS (docs/cli.md, "How apply changes the BIG-IP"; reference/as3-api.md).
 *
 * Responsibilities, each in one place so the apply engine above sees only outcomes:
 * - token authentication: one token for every request, renewed shortly before it expires and
 *   once on a 401 (the device limits active tokens per user, so never one login per request);
 * - transient failures (503 busy, 502/504, timeouts, refused/reset connections) retried with
 *   bounded exponential backoff; everything else reported at once as a BigipError;
 * - async deploys (`?async=true`) followed through `/task/<id>` until AS3 finished, within a
 *   bounded wait;
 * - AS3's answers (200/207/422, task records) turned into a DeployOutcome per tenant.
 * Credentials and the token never appear in events or errors: events carry no headers or bodies,
 * and every error message and retry reason passes through redaction.
 */
import http from 'node:http';
import https from 'node:https';
import axios from 'axios';
import type { AxiosInstance } from 'axios';
import { BigipError } from './as3-api.js';
import { compareVersions } from '../lib/version.js';
import type { As3Api, As3Info, BigipErrorKind, BigipEvent, DeployOutcome, TenantResult } from './as3-api.js';
import { backoffDelay } from '../lib/backoff.js';
import type { BackoffPolicy } from '../lib/backoff.js';
import { redactSecrets } from './credentials.js';
import { redactText, secretStrings } from '../lib/redact.js';
import type { Credentials } from './credentials.js';
import type { As3Adc, As3Application, As3Declaration } from '../model/as3-types.js';

export interface BigipRestClientOptions {
  /** `https://host[:port]` of the BIG-IP management interface (`http://` only for tests and labs). */
  url: string;
  credentials: Credentials;
  /** Skip TLS certificate verification (self-signed lab devices). Verification is on by default. */
  insecure?: boolean;
  /** PEM CA bundle that signed the device's certificate. */
  ca?: string | Buffer;
  /** Limit for one HTTP exchange (socket idle time). Default 60 s. */
  timeoutMs?: number;
  /** Retries of a transient failure before giving up. Default 5. */
  maxRetries?: number;
  /** Backoff ceiling of the first retry. Default 500 ms. */
  retryBaseMs?: number;
  /** Upper bound of any retry delay. Default 30 s. */
  retryMaxMs?: number;
  /** How long an async deploy may stay "in progress" before giving up. Default 10 minutes. */
  taskTimeoutMs?: number;
  /**
   * Longest pause between `/task/<id>` polls. Default 1 s. The first poll comes after
   * `firstPollMs` and the pause doubles from there: a small change is confirmed within
   * milliseconds of AS3 finishing it, a long one is not polled more than once a `pollIntervalMs`.
   */
  pollIntervalMs?: number;
  /**
   * Pause before the first `/task/<id>` poll. Default 2 ms: a one-application change is often
   * done at once, and waiting 100 ms to learn it (the old first pause) was most of the time a
   * change took to reach the device. A long task costs a handful of extra cheap GETs.
   */
  firstPollMs?: number;
  /** Waits for retries and polls; injectable so tests never really wait. */
  sleep?: (ms: number) => Promise<void>;
  /**
   * Aborted when the caller stops (the controller's SIGTERM): from then on no retry is waited for
   * or made and other requests are cancelled, so a call fails at once. A declaration already posted
   * is still followed to its end (its `/task` polled), since cutting it short would leave unknown
   * whether the BIG-IP applied it; the caller's own deadline bounds that wait.
   */
  signal?: AbortSignal;
  /** Jitter source for backoff; injectable for exact delays in tests. */
  random?: () => number;
  /** Clock (ms) for token expiry, the task deadline and request durations. Default Date.now. */
  now?: () => number;
  /** Observes every exchange, retry and login (never credentials, tokens, headers or bodies). */
  onEvent?: (event: BigipEvent) => void;
  userAgent?: string;
}

const LOGIN_PATH = '/mgmt/shared/authn/login';
const INFO_PATH = '/mgmt/shared/appsvcs/info';
const DECLARE_PATH = '/mgmt/shared/appsvcs/declare';
const TASK_PATH = '/mgmt/shared/appsvcs/task';

/** AS3 ≥ this version accepts `POST /declare/<tenant>/applications`. */
const PER_APPLICATION_MIN_VERSION = '3.50.0';
/** iControl REST's default token lifetime, used when the login answer does not say. */
const DEFAULT_TOKEN_LIFETIME_MS = 1200 * 1000;
/** Renew this long before expiry (at most a tenth of the lifetime) so no request races the expiry. */
const TOKEN_RENEW_MARGIN_MS = 60 * 1000;
const SUCCESS_MESSAGES = new Set(['success', 'no change']);
const NOT_INSTALLED_HINT = 'AS3 (f5-appsvcs-extension) does not seem to be installed on the BIG-IP, or the URL is not a BIG-IP';

/** Connection-level error codes worth another try: the device or the path to it may come back. */
const RETRYABLE_CONNECTION_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
const TIMEOUT_CODES = new Set(['ECONNABORTED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT']);
/** Certificate problems: retrying cannot help, the configuration (caFile/insecure) must change. */
const TLS_CODE_PATTERN = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ERR_TLS|ERR_SSL/;

type Method = 'GET' | 'POST';

/** An HTTP answer with its body still as text, so invalid JSON is detectable. */
interface HttpAnswer {
  ok: true;
  status: number;
  body: string;
}

/** No HTTP answer at all: what went wrong, and whether another try may help. */
interface NetworkFailure {
  ok: false;
  kind: BigipErrorKind;
  reason: string;
  retryable: boolean;
}

/** Why an exchange deserves another try, and what to report when the retries run out. */
interface TransientProblem {
  kind: BigipErrorKind;
  reason: string;
  httpStatus?: number;
}

interface Session {
  token: string;
  /** When to log in again, ahead of the token's expiry. */
  renewAt: number;
}

type Json = Record<string, unknown>;

export class BigipRestClient implements As3Api {
  /** Private fields (#) so that util.inspect(client) shows neither the credentials nor the token. */
  readonly #credentials: Credentials;
  #session: Session | undefined;
  /** The token before the current one, still redacted from errors that arrive late. */
  #retiredToken: string | undefined;
  #login: Promise<string> | undefined;
  readonly #http: AxiosInstance;
  readonly #agent: http.Agent;
  readonly #backoff: BackoffPolicy;
  readonly #maxRetries: number;
  readonly #taskTimeoutMs: number;
  readonly #pollIntervalMs: number;
  readonly #firstPollMs: number;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;
  readonly #now: () => number;
  readonly #onEvent: ((event: BigipEvent) => void) | undefined;
  /** `https://host[:port]`, for messages about a device that could not be reached. */
  readonly #origin: string;
  readonly #signal: AbortSignal | undefined;

  constructor(options: BigipRestClientOptions) {
    const baseURL = managementBaseUrl(options.url);
    this.#credentials = options.credentials;
    this.#maxRetries = Math.max(0, options.maxRetries ?? 5);
    // Full jitter: several controllers refused by AS3's single configuration lock must not retry in lockstep.
    this.#backoff = { baseMs: options.retryBaseMs ?? 500, maxMs: options.retryMaxMs ?? 30_000, jitter: 'full' };
    this.#taskTimeoutMs = options.taskTimeoutMs ?? 10 * 60 * 1000;
    this.#pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.#firstPollMs = Math.max(0, Math.min(options.firstPollMs ?? 2, this.#pollIntervalMs));
    this.#sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.#random = options.random ?? Math.random;
    this.#now = options.now ?? Date.now;
    this.#onEvent = options.onEvent;
    this.#origin = new URL(baseURL).origin;
    this.#signal = options.signal;
    this.#agent = baseURL.startsWith('https:')
      ? new https.Agent({ keepAlive: true, rejectUnauthorized: options.insecure !== true, ...(options.ca ? { ca: options.ca } : {}) })
      : new http.Agent({ keepAlive: true });
    this.#http = axios.create({
      baseURL,
      timeout: options.timeoutMs ?? 60_000,
      httpAgent: this.#agent,
      httpsAgent: this.#agent,
      // Statuses, bodies and JSON parsing are ours to judge: AS3 puts meaning in 207/422/503 bodies.
      validateStatus: () => true,
      responseType: 'text',
      transformRequest: [(data: unknown) => data],
      transformResponse: [(data: unknown) => data],
      maxBodyLength: Infinity,
      maxContentLength: Infinity,
      // A redirect could carry X-F5-Auth-Token to another host; a BIG-IP API never redirects.
      maxRedirects: 0,
      headers: { 'User-Agent': options.userAgent ?? 'kube-as3', Accept: 'application/json' },
    });
  }

  async info(): Promise<As3Info> {
    return this.#guard(async () => {
      const answer = await this.#request('GET', INFO_PATH);
      if (answer.status !== 200) throw unexpectedAnswer('GET', INFO_PATH, answer);
      return parseInfo(parseJson(answer, `GET ${INFO_PATH}`));
    });
  }

  async currentDeclaration(): Promise<As3Adc | undefined> {
    return this.#guard(async () => {
      const answer = await this.#request('GET', DECLARE_PATH);
      if (answer.status === 204) return undefined;
      if (answer.status !== 200) throw unexpectedAnswer('GET', DECLARE_PATH, answer);
      return extractAdc(parseJson(answer, `GET ${DECLARE_PATH}`));
    });
  }

  async deployTenants(tenants: string[], declaration: As3Declaration): Promise<DeployOutcome> {
    // An empty list would POST to /declare itself, which processes every tenant in the body.
    if (tenants.length === 0) throw new Error('deployTenants needs at least one tenant');
    const path = `${DECLARE_PATH}/${tenants.map(encodeURIComponent).join(',')}`;
    return this.#guard(() => this.#deploy(path, declaration));
  }

  async deployApplications(tenant: string, schemaVersion: string, applications: Record<string, As3Application>): Promise<DeployOutcome> {
    const path = `${DECLARE_PATH}/${encodeURIComponent(tenant)}/applications`;
    return this.#guard(() => this.#deploy(path, { schemaVersion, ...applications }));
  }

  /** Releases the kept-alive connections (for a CLI that wants to exit promptly). */
  close(): void {
    this.#agent.destroy();
  }

  /**
   * Posts asynchronously and follows the task to its end. A task that AS3 finished with 503 for
   * every tenant (another writer held the configuration lock) is re-posted like an HTTP 503.
   */
  async #deploy(path: string, body: unknown): Promise<DeployOutcome> {
    // AS3's error texts may echo parts of the declaration: the secrets posted never come back out.
    const secrets = secretStrings(body);
    try {
      return redactOutcome(await this.#deployWithRetries(path, body, secrets), secrets);
    } catch (error) {
      if (error instanceof BigipError) throw new BigipError(error.kind, redactText(error.message, secrets), error.httpStatus);
      throw error;
    }
  }

  async #deployWithRetries(path: string, body: unknown, secrets: Set<string>): Promise<DeployOutcome> {
    const payload = JSON.stringify(body);
    const asyncPath = `${path}?async=true`;
    for (let retry = 1; ; retry++) {
      const outcome = await this.#postAndWait(asyncPath, payload);
      if (!isBusyOutcome(outcome)) return outcome;
      const reason = redactText(`AS3 task ended busy: ${outcome.errors[0] ?? 'configuration operation in progress'}`, secrets);
      if (retry > this.#maxRetries)
        throw new BigipError('busy', `POST ${asyncPath}: ${reason}; gave up after ${this.#maxRetries} retries`, 503);
      await this.#pause({ kind: 'busy', reason }, 'POST', asyncPath, retry);
    }
  }

  async #postAndWait(path: string, payload: string): Promise<DeployOutcome> {
    this.#refuseWhenStopping('POST', path);
    const answer = await this.#request('POST', path, payload, true);
    if (answer.status === 202) return this.#awaitTask(taskId(parseJson(answer, `POST ${path}`)));
    return outcomeFromDeclareAnswer('POST', path, answer);
  }

  /** Polls `/task/<id>` until AS3 reports per-tenant results, within taskTimeoutMs. */
  async #awaitTask(id: string): Promise<DeployOutcome> {
    const path = `${TASK_PATH}/${encodeURIComponent(id)}`;
    const deadline = this.#now() + this.#taskTimeoutMs;
    let pause = this.#firstPollMs;
    for (;;) {
      await this.#sleep(pause);
      pause = Math.min(this.#pollIntervalMs, Math.max(1, pause * 2));
      const answer = await this.#request('GET', path, undefined, true);
      if (answer.status === 404) {
        throw new BigipError('protocol', `AS3 task ${id} not found (AS3 restarted?); the declaration may be partly applied`, 404);
      }
      if (answer.status !== 200) throw unexpectedAnswer('GET', path, answer);
      const results = requireResults(parseJson(answer, `GET ${path}`), `AS3 task ${id}`);
      if (results.some((entry) => entry.message === 'task cancelled')) {
        throw new BigipError('protocol', `AS3 task ${id} was cancelled (AS3 restarted); the declaration may be partly applied`);
      }
      if (!results.some((entry) => entry.code === 0)) return outcomeFromTaskResults(results);
      if (this.#now() >= deadline) {
        throw new BigipError('timeout', `AS3 task ${id} still in progress after ${this.#taskTimeoutMs} ms; AS3 may still apply it`);
      }
    }
  }

  /**
   * One authenticated request (with transient retries). A 401 means the token expired or was
   * revoked: log in again once and repeat; a second 401 is a real authorization problem.
   */
  async #request(method: Method, path: string, body?: string, posted = false): Promise<HttpAnswer> {
    for (let relogin = 0; ; relogin++) {
      let usedToken: string | undefined;
      const answer = await this.#withRetries(
        method,
        path,
        async () => {
          usedToken = await this.#token();
          return this.#exchange(method, path, body, usedToken, posted);
        },
        posted,
      );
      if (answer.status !== 401) return answer;
      if (relogin > 0) {
        throw new BigipError(
          'auth',
          `${method} ${path}: HTTP 401 even after logging in again: ${deviceMessage(answer) || 'not authorized'}`,
          401,
        );
      }
      this.#forgetToken(usedToken);
    }
  }

  /**
   * Repeats `attempt` while it fails transiently, up to maxRetries, with backoff between tries.
   * `posted`: part of following a declaration already sent, which stopping does not cut short.
   */
  async #withRetries(
    method: Method,
    path: string,
    attempt: () => Promise<HttpAnswer | NetworkFailure>,
    posted = false,
  ): Promise<HttpAnswer> {
    for (let retry = 1; ; retry++) {
      const result = await attempt();
      const problem = transientProblem(result);
      if (!problem) {
        if (!result.ok) throw new BigipError(result.kind, this.#cannotConnect(method, path, result.reason));
        return result;
      }
      if (retry > this.#maxRetries) {
        const gaveUp = `${problem.reason}; gave up after ${this.#maxRetries} retries`;
        const message = result.ok ? `${method} ${path}: ${gaveUp}` : this.#cannotConnect(method, path, gaveUp);
        throw new BigipError(problem.kind, message, problem.httpStatus);
      }
      await this.#pause(problem, method, path, retry, posted);
    }
  }

  /** `cannot connect to https://bigip:443: connection refused (ECONNREFUSED ...; POST /mgmt/...)`: the device gave no answer. */
  #cannotConnect(method: Method, path: string, reason: string): string {
    return `cannot connect to ${this.#origin}: ${reason} (${method} ${path})`;
  }

  async #pause({ kind, reason }: TransientProblem, method: Method, path: string, attempt: number, posted = false): Promise<void> {
    const stopping = (): BigipError => new BigipError(kind, `${method} ${path}: ${reason}; not retried: stopping`);
    if (!posted && this.#signal?.aborted) throw stopping();
    const delayMs = backoffDelay(attempt, this.#backoff, this.#random);
    this.#emit({ type: 'retry', method, path, attempt, delayMs, reason });
    await (posted ? this.#sleep(delayMs) : sleepUnlessAborted(this.#sleep(delayMs), this.#signal));
    if (!posted && this.#signal?.aborted) throw stopping();
  }

  /** After the stop signal, no new declaration is posted. */
  #refuseWhenStopping(method: Method, path: string): void {
    if (this.#signal?.aborted) throw new BigipError('unreachable', `${method} ${path}: not sent: stopping`);
  }

  /** One HTTP exchange; never throws: a transport failure becomes a NetworkFailure. */
  async #exchange(
    method: Method,
    path: string,
    body: string | undefined,
    token: string | undefined,
    posted = false,
  ): Promise<HttpAnswer | NetworkFailure> {
    const started = this.#now();
    const bytesSent = body === undefined ? 0 : Buffer.byteLength(body);
    const headers: Record<string, string> = {};
    if (token !== undefined) headers['X-F5-Auth-Token'] = token;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    try {
      // A request that is not part of a posted declaration is cancelled when the caller stops.
      const cancel = posted || !this.#signal ? {} : { signal: this.#signal };
      const response = await this.#http.request<unknown>({ method, url: path, data: body, headers, ...cancel });
      this.#emit({ type: 'request', method, path, httpStatus: response.status, ms: this.#now() - started, bytesSent });
      return { ok: true, status: response.status, body: bodyText(response.data) };
    } catch (error) {
      // The axios error holds the request config (headers with the token): keep only code and message.
      this.#emit({ type: 'request', method, path, ms: this.#now() - started, bytesSent });
      if (!posted && this.#signal?.aborted) return { ok: false, kind: 'unreachable', reason: 'cancelled: stopping', retryable: false };
      return networkFailure(error);
    }
  }

  /** The current token; logs in when there is none or it is about to expire. Concurrent callers share one login. */
  #token(): Promise<string> {
    const session = this.#session;
    if (session && this.#now() < session.renewAt) return Promise.resolve(session.token);
    this.#login ??= this.#logIn().finally(() => {
      this.#login = undefined;
    });
    return this.#login;
  }

  /** Drops the token a request was refused with, unless a concurrent request already replaced it. */
  #forgetToken(token: string | undefined): void {
    if (this.#session && this.#session.token === token) {
      this.#retiredToken = token;
      this.#session = undefined;
    }
  }

  async #logIn(): Promise<string> {
    try {
      const token = await this.#requestToken();
      this.#emit({ type: 'login', ok: true });
      return token;
    } catch (error) {
      this.#emit({ type: 'login', ok: false, kind: error instanceof BigipError ? error.kind : 'protocol' });
      throw error;
    }
  }

  async #requestToken(): Promise<string> {
    const started = this.#now();
    const { username, password } = this.#credentials;
    const payload = JSON.stringify({ username, password, loginProviderName: 'tmos' });
    const answer = await this.#withRetries('POST', LOGIN_PATH, () => this.#exchange('POST', LOGIN_PATH, payload, undefined));
    if (answer.status !== 200) throw loginRefused(answer, username);
    // `{ token: { token, timeout, expirationMicros, ... } }`
    const record = asRecord(asRecord(parseJsonOrUndefined(answer.body))?.['token']);
    const token = record?.['token'];
    if (!record || typeof token !== 'string' || token === '') {
      throw new BigipError('protocol', `POST ${LOGIN_PATH}: the login answer carries no token`, answer.status);
    }
    const lifetimeMs = tokenLifetimeMs(record, started);
    if (this.#session) this.#retiredToken = this.#session.token;
    this.#session = { token, renewAt: started + lifetimeMs - Math.min(TOKEN_RENEW_MARGIN_MS, lifetimeMs / 10) };
    return token;
  }

  /** Last line of defence: whatever the device echoed, errors leave without password or token. */
  async #guard<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (error instanceof BigipError) throw new BigipError(error.kind, this.#redact(error.message), error.httpStatus);
      throw error;
    }
  }

  #redact(text: string): string {
    return redactText(redactSecrets(text, [this.#credentials.password, this.#session?.token, this.#retiredToken]));
  }

  /** Observability must never change an outcome, so a throwing listener is ignored. */
  #emit(event: BigipEvent): void {
    if (!this.#onEvent) return;
    const safe = event.type === 'retry' ? { ...event, reason: this.#redact(event.reason) } : event;
    try {
      this.#onEvent(safe);
    } catch {
      // ignored on purpose (see above)
    }
  }
}

/** The outcome with every text AS3 wrote redacted (lib/redact.ts): posted secrets and PEM keys become markers. */
function redactOutcome(outcome: DeployOutcome, secrets: Set<string>): DeployOutcome {
  const results = outcome.results.map((r) => ({
    ...r,
    message: redactText(r.message, secrets),
    ...(r.error === undefined ? {} : { error: redactText(r.error, secrets) }),
  }));
  return { ...outcome, results, errors: outcome.errors.map((e) => redactText(e, secrets)) };
}

/** Resolves when `sleep` does or `signal` aborts, whichever is first. */
function sleepUnlessAborted(sleep: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return sleep;
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      signal.removeEventListener('abort', done);
      resolve();
    };
    signal.addEventListener('abort', done, { once: true });
    sleep.then(done, done);
  });
}

function managementBaseUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`BIG-IP URL ${JSON.stringify(url)} is not a URL (expected https://host[:port])`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new Error(`BIG-IP URL ${JSON.stringify(url)} must start with https:// (or http:// for tests)`);
  }
  if (parsed.username || parsed.password) {
    throw new Error('BIG-IP URL must not contain credentials; use the credentials directory or BIGIP_USERNAME/BIGIP_PASSWORD');
  }
  return `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}`;
}

function bodyText(data: unknown): string {
  if (typeof data === 'string') return data;
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  return '';
}

/** What a connection-level error code means, in words a network engineer reads first. */
const CONNECTION_WORDS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection reset',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name lookup failed',
  ETIMEDOUT: 'connection timed out',
};

/**
 * A transport failure (no HTTP answer at all). `reason` leads with what happened in plain words
 * (`connection refused`), followed by the error code and Node's text, so a message never looks
 * like the device answered (a refused login, say) when it was never reached.
 */
function networkFailure(error: unknown): NetworkFailure {
  const code = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : '';
  const message = error instanceof Error ? error.message : String(error);
  const described = code && !message.includes(code) ? `${code} ${message}` : message;
  if (TIMEOUT_CODES.has(code) || /timeout/i.test(message)) {
    const words = code === 'ETIMEDOUT' ? 'connection timed out' : 'no answer in time';
    return { ok: false, kind: 'timeout', reason: `${words} (${described})`, retryable: true };
  }
  const words = CONNECTION_WORDS[code] ?? (/socket hang up/i.test(message) ? 'connection reset' : undefined);
  if (RETRYABLE_CONNECTION_CODES.has(code) || /socket hang up/i.test(message)) {
    return { ok: false, kind: 'unreachable', reason: `${words ?? 'connection failed'} (${described})`, retryable: true };
  }
  if (TLS_CODE_PATTERN.test(code)) {
    return {
      ok: false,
      kind: 'unreachable',
      reason: `TLS verification failed (${described}); give the CA bundle or set insecure`,
      retryable: false,
    };
  }
  return { ok: false, kind: 'unreachable', reason: `${words ?? 'connection failed'} (${described})`, retryable: false };
}

function transientProblem(result: HttpAnswer | NetworkFailure): TransientProblem | undefined {
  if (!result.ok) return result.retryable ? { kind: result.kind, reason: result.reason } : undefined;
  const kind = transientStatusKind(result.status);
  if (!kind) return undefined;
  const detail = deviceMessage(result);
  return { kind, reason: `HTTP ${result.status}${detail ? `: ${detail}` : ''}`, httpStatus: result.status };
}

/** 503: AS3 holds its configuration lock or restnoded restarts; 502/504: the device's gateway lost its backend. */
function transientStatusKind(status: number): BigipErrorKind | undefined {
  if (status === 503) return 'busy';
  if (status === 502) return 'unreachable';
  if (status === 504) return 'timeout';
  return undefined;
}

function loginRefused(answer: HttpAnswer, username: string): BigipError {
  const detail = deviceMessage(answer);
  const suffix = detail ? `: ${detail}` : '';
  if (answer.status === 404 || answer.status >= 500) {
    return new BigipError('protocol', `POST ${LOGIN_PATH}: unexpected HTTP ${answer.status}${suffix}`, answer.status);
  }
  return new BigipError('auth', `BIG-IP login as ${JSON.stringify(username)} refused (HTTP ${answer.status})${suffix}`, answer.status);
}

/**
 * Token lifetime: `timeout` (seconds, relative, so immune to clock skew between us and the
 * device), else the absolute `expirationMicros`, else iControl REST's 1200 s default.
 */
function tokenLifetimeMs(token: Json, loginStarted: number): number {
  const timeout = token['timeout'];
  if (typeof timeout === 'number' && timeout > 0) return timeout * 1000;
  const expirationMicros = token['expirationMicros'];
  if (typeof expirationMicros === 'number') {
    const lifetime = expirationMicros / 1000 - loginStarted;
    // A device clock far behind ours would make every token look expired: trust the default then.
    if (lifetime > 0) return lifetime;
  }
  return DEFAULT_TOKEN_LIFETIME_MS;
}

function unexpectedAnswer(method: Method, path: string, answer: HttpAnswer): BigipError {
  const detail = deviceMessage(answer);
  const suffix = detail ? `: ${detail}` : '';
  if (answer.status === 404) return new BigipError('protocol', `${method} ${path}: HTTP 404: ${NOT_INSTALLED_HINT}${suffix}`, 404);
  if (answer.status === 403)
    return new BigipError('auth', `${method} ${path}: HTTP 403, the user may not use AS3 (needs the admin role)${suffix}`, 403);
  if (answer.status >= 500) {
    return new BigipError('protocol', `${method} ${path}: HTTP ${answer.status} from the BIG-IP${suffix}`, answer.status);
  }
  return new BigipError('protocol', `${method} ${path}: unexpected HTTP ${answer.status}${suffix}`, answer.status);
}

/** What `POST /declare...` answered synchronously (200/207/4xx), as an outcome. */
function outcomeFromDeclareAnswer(method: Method, path: string, answer: HttpAnswer): DeployOutcome {
  const { status } = answer;
  if (status === 200 || status === 207) {
    const results = requireResults(parseJson(answer, `${method} ${path}`), `${method} ${path}`);
    return { status: status === 200 ? 'ok' : 'partial', httpStatus: status, results, errors: failureTexts(results) };
  }
  if (status >= 500) {
    throw new BigipError(
      'protocol',
      `${method} ${path}: HTTP ${status} from AS3 (the change may be partly applied): ${deviceMessage(answer) || 'no message'}`,
      status,
    );
  }
  // 401 never gets here (re-login); 403 and 404 are not AS3 judging the declaration.
  if (status < 400 || status === 403 || status === 404) throw unexpectedAnswer(method, path, answer);
  return rejectedOutcome(answer);
}

/** 422/400 (and AS3's other 4xx): nothing was applied; keep AS3's own words. */
function rejectedOutcome(answer: HttpAnswer): DeployOutcome {
  const body = asRecord(parseJsonOrUndefined(answer.body));
  const results = body ? (parseResults(body['results']) ?? []) : [];
  let errors = body ? stringList(body['errors']) : [];
  if (errors.length === 0 && typeof body?.['message'] === 'string') errors = [body['message']];
  if (errors.length === 0) errors = failureTexts(results);
  if (errors.length === 0) errors = [deviceMessage(answer) || `HTTP ${answer.status}`];
  return { status: 'rejected', httpStatus: answer.status, results, errors };
}

/** A finished task: success per tenant decides ok / partial / rejected, as AS3 does for a sync answer. */
function outcomeFromTaskResults(results: TenantResult[]): DeployOutcome {
  const succeeded = results.filter((entry) => entry.code === 200).length;
  const errors = failureTexts(results);
  if (succeeded === results.length) return { status: 'ok', httpStatus: 200, results, errors };
  if (succeeded > 0) return { status: 'partial', httpStatus: 207, results, errors };
  const codes = new Set(results.map((entry) => entry.code));
  const [onlyCode] = codes;
  return { status: 'rejected', httpStatus: codes.size === 1 && onlyCode !== undefined ? onlyCode : 422, results, errors };
}

/** Every tenant refused with 503: AS3's lock was taken, so the post may simply be repeated. */
function isBusyOutcome(outcome: DeployOutcome): boolean {
  return outcome.status === 'rejected' && outcome.results.length > 0 && outcome.results.every((entry) => entry.code === 503);
}

function failureTexts(results: TenantResult[]): string[] {
  return results.filter((entry) => entry.code !== 200).map((entry) => entry.error ?? entry.message);
}

function requireResults(body: unknown, what: string): TenantResult[] {
  const results = parseResults(asRecord(body)?.['results']);
  if (!results || results.length === 0) throw new BigipError('protocol', `${what}: the answer has no results`);
  return results;
}

function parseResults(value: unknown): TenantResult[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value.map((entry) => tenantResult(asRecord(entry) ?? {}));
}

function tenantResult(entry: Json): TenantResult {
  const message = typeof entry['message'] === 'string' ? entry['message'] : '';
  const result: TenantResult = {
    tenant: typeof entry['tenant'] === 'string' ? entry['tenant'] : '',
    code: resultCode(entry['code'], message),
    message,
  };
  const error = entryError(entry);
  if (error !== undefined) result.error = error;
  return result;
}

/** AS3 omits the code on its "no change" entry for a request that touched no tenant. */
function resultCode(code: unknown, message: string): number {
  const numeric = typeof code === 'string' && code.trim() !== '' ? Number(code) : code;
  if (typeof numeric === 'number' && Number.isFinite(numeric)) return numeric;
  return SUCCESS_MESSAGES.has(message) ? 200 : 500;
}

function entryError(entry: Json): string | undefined {
  const response = entry['response'];
  if (typeof response === 'string' && response !== '') return response;
  if (response !== undefined && response !== null && typeof response === 'object') return JSON.stringify(response);
  const errors = stringList(entry['errors']);
  return errors.length > 0 ? errors.join('; ') : undefined;
}

function taskId(body: unknown): string {
  const record = asRecord(body);
  const id = record?.['id'];
  if (typeof id === 'string' && id !== '') return id;
  const selfLink = record?.['selfLink'];
  const fromLink = typeof selfLink === 'string' ? /\/task\/([^/?]+)/.exec(selfLink)?.[1] : undefined;
  if (fromLink) return fromLink;
  throw new BigipError('protocol', 'AS3 accepted the declaration (HTTP 202) but named no task id to follow', 202);
}

function parseInfo(body: unknown): As3Info {
  const record = asRecord(body);
  const version = record?.['version'];
  if (typeof version !== 'string' || !/^\d+\.\d+/.test(version)) {
    throw new BigipError('protocol', `GET ${INFO_PATH}: the answer has no AS3 version`, 200);
  }
  const schemaCurrent = typeof record?.['schemaCurrent'] === 'string' ? record['schemaCurrent'] : version;
  const info: As3Info = { version, schemaCurrent, perApplication: compareVersions(version, PER_APPLICATION_MIN_VERSION) >= 0 };
  if (typeof record?.['schemaMinimum'] === 'string') info.schemaMinimum = record['schemaMinimum'];
  return info;
}

/** `GET /declare` answers the ADC itself, or (for some versions and `show` modes) an AS3 wrapper. */
function extractAdc(body: unknown): As3Adc | undefined {
  const record = asRecord(body);
  if (record && Object.keys(record).length === 0) return undefined;
  if (record?.['class'] === 'ADC') return record as As3Adc;
  const inner = asRecord(record?.['declaration']);
  if (inner?.['class'] === 'ADC') return inner as As3Adc;
  throw new BigipError('protocol', `GET ${DECLARE_PATH}: the answer is not an ADC declaration`, 200);
}

function parseJson(answer: HttpAnswer, what: string): unknown {
  const parsed = parseJsonOrUndefined(answer.body);
  if (parsed === undefined) {
    const shown = answer.body.length > 80 ? `${answer.body.slice(0, 80)}...` : answer.body;
    throw new BigipError(
      'protocol',
      `${what}: HTTP ${answer.status} with a body that is not JSON: ${JSON.stringify(shown)}`,
      answer.status,
    );
  }
  return parsed;
}

function parseJsonOrUndefined(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** AS3's `message` (plus `errors`) for an error text; a short prefix of a non-JSON body otherwise. */
function deviceMessage(answer: HttpAnswer): string {
  const body = asRecord(parseJsonOrUndefined(answer.body));
  if (!body) return answer.body.trim().slice(0, 200);
  const message = typeof body['message'] === 'string' ? body['message'] : '';
  const errors = stringList(body['errors']);
  return [message, ...errors].filter((text) => text !== '').join('; ');
}

function stringList(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.map((item) => (typeof item === 'string' ? item : JSON.stringify(item)));
}

function asRecord(value: unknown): Json | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;
}
