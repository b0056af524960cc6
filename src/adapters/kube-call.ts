/**
 * Every request kube-as3 makes to a Kubernetes API server (other than a watch stream) goes through
 * `kubeCall`: it gets a deadline, and its failure becomes one error type with one message.
 *
 * The deadline: the client-node 1.4 HTTP client (node-fetch) has no timeout of its own, so an API
 * server that accepts the connection and never answers would hold a status write, an Event, an IPAM
 * read or a list for ever, and with it the reconcile pass or the informer waiting on it. Each call
 * is aborted after `timeoutMs` (or when the caller's `signal` fires) through client-node's request
 * middleware (`RequestContext.setSignal`, which node-fetch honours); raw requests (watch/raw-list.ts)
 * take the signal directly. Watch streams are long-lived by design and have no deadline; the
 * informer's list before each watch does (cluster-watch's staleness watchdog covers a silent watch).
 *
 * The message, for logs, Events and `/readyz`: `<what>: the API server answered HTTP <code>: <its
 * Status reason and message>`, `<what>: no answer from the API server within <n> s`, or `<what>:
 * <transport error>`, credentials redacted. `what` names the object and the action, e.g.
 * `IPAMAllocation kube-as3/kube-as3-edge: cannot read`.
 */
import { ApiException, Observable } from '@kubernetes/client-node';
import type { ConfigurationOptions, ObservableMiddleware, RequestContext, ResponseContext } from '@kubernetes/client-node';
import { apiServerMessage } from './api-server-message.js';

/** Default deadlines: a list may carry thousands of objects; a read or write of one object is small. */
export const KUBE_LIST_TIMEOUT_MS = 30_000;
export const KUBE_REQUEST_TIMEOUT_MS = 10_000;

export interface KubeCallOptions {
  /** Abort the request after this long (milliseconds). */
  timeoutMs: number;
  /** Aborts the request earlier (the controller stopping, a leader's renew deadline). */
  signal?: AbortSignal;
  /** Said after `HTTP 404` (e.g. "the resource no longer exists" for a write to an object the watch saw). */
  notFound?: string;
}

/** A request to a Kubernetes API server that failed: refused (`status`), unanswered in time (`timedOut`), or lost in transport. */
export class KubeApiError extends Error {
  /**
   * The HTTP status when the API server answered, else the transport's code (`ETIMEDOUT` for a
   * missed deadline), so `classifyClusterError` and the cause-walking code readers see it.
   */
  readonly code: number | string | undefined;

  constructor(
    message: string,
    /** What was asked, as the message starts. */
    readonly what: string,
    /** The API server's HTTP status, when it answered. */
    readonly status: number | undefined,
    /** No answer within the deadline. */
    readonly timedOut: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'KubeApiError';
    this.code = status ?? (timedOut ? 'ETIMEDOUT' : transportCode(options?.cause));
  }
}

function transportCode(err: unknown): string | undefined {
  for (let e = err, depth = 0; e !== null && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') return code;
  }
  return undefined;
}

/** Whether `err` is a KubeApiError with this HTTP status. */
export function isKubeStatus(err: unknown, ...statuses: number[]): err is KubeApiError {
  return err instanceof KubeApiError && err.status !== undefined && statuses.includes(err.status);
}

/**
 * client-node request options that abort the request when `signal` fires. Appending keeps the
 * configuration's own middleware (authentication) in place; `options` (e.g. `setHeaderOptions`'s)
 * are kept too.
 */
export function abortableBy(signal: AbortSignal, options?: ConfigurationOptions): ConfigurationOptions {
  const middleware: ObservableMiddleware = {
    pre: (context: RequestContext) => {
      context.setSignal(signal);
      return new Observable(Promise.resolve(context));
    },
    post: (response: ResponseContext) => new Observable(Promise.resolve(response)),
  };
  return { ...options, middleware: [...(options?.middleware ?? []), middleware], middlewareMergeStrategy: 'append' };
}

/** `user:password@` in URLs and `Bearer`/`Basic` credentials, which transport errors could echo. */
export function redactCredentials(text: string): string {
  return text.replace(/\b(Bearer|Basic)\s+[^\s"',]+/gi, '$1 [redacted]').replace(/\/\/[^/@\s]+@/g, '//[redacted]@');
}

/** `<what>: …` for an answer the API server gave with an HTTP error status and this body text or Status. */
export function refusedMessage(what: string, status: number, said: string, notFound?: string): string {
  const note = status === 404 && notFound ? ` (${notFound})` : '';
  return redactCredentials(`${what}: the API server answered HTTP ${status}${note}${said ? `: ${said}` : ''}`);
}

/** The one error for a failed call, whatever failed. */
export function kubeFailure(
  what: string,
  err: unknown,
  deadline: { timedOut: boolean; timeoutMs: number },
  notFound?: string,
): KubeApiError {
  if (err instanceof KubeApiError) return err;
  if (err instanceof ApiException) {
    return new KubeApiError(refusedMessage(what, err.code, apiServerMessage(err), notFound), what, err.code, false, { cause: err });
  }
  if (deadline.timedOut) {
    return new KubeApiError(`${what}: no answer from the API server within ${deadline.timeoutMs / 1000} s`, what, undefined, true, {
      cause: err,
    });
  }
  const said = err instanceof Error ? err.message : String(err);
  return new KubeApiError(redactCredentials(`${what}: ${said}`), what, undefined, false, { cause: err });
}

/**
 * Runs one API request with a deadline: `fn` gets client-node request options carrying the abort
 * (pass them as the API method's last argument) and the signal itself (for raw requests). Resolves
 * with its result; rejects with a KubeApiError.
 */
export async function kubeCall<T>(
  what: string,
  fn: (requestOptions: ConfigurationOptions, signal: AbortSignal) => Promise<T>,
  options: KubeCallOptions,
): Promise<T> {
  const deadline = new AbortController();
  const state = { timedOut: false, timeoutMs: options.timeoutMs };
  const timer = setTimeout(() => {
    state.timedOut = true;
    deadline.abort(new Error(`no answer within ${options.timeoutMs} ms`));
  }, options.timeoutMs);
  const signal = options.signal ? AbortSignal.any([deadline.signal, options.signal]) : deadline.signal;
  // Settles on the abort even when `fn` ignores the signal (a test's fake, a library that drops it).
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([fn(abortableBy(signal), signal), aborted]);
  } catch (err) {
    throw kubeFailure(what, err, state, options.notFound);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}
