/**
 * Why a cluster cannot be read, said once per cluster and repeated with backoff, instead of one
 * warning per kind and per watch restart (a cluster that is down fails a dozen informers every few
 * seconds). The reason is classified from the transport or HTTP error (connection refused, host
 * not found, certificate, 401, 403, ...), named with the cluster and its API server, and kept for
 * `/readyz` and the `kube_as3_cluster_watch_failures_total` metric.
 */
import { backoffCeiling } from '../lib/backoff.js';
import type { Log } from './reconciler.js';

export interface ClusterProblem {
  /** Short, stable class for metrics: refused, dns, timeout, reset, certificate, unauthorized, forbidden, http, other. */
  class: string;
  /** The sentence for logs and `/readyz`. */
  reason: string;
}

const TLS_CODE = /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ERR_TLS|ERR_SSL/;

/** The first `code`/`statusCode` along the error and its causes. */
function codeOf(err: unknown): string | number | undefined {
  for (let e = err, depth = 0; e !== null && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, statusCode } = e as { code?: unknown; statusCode?: unknown };
    if (typeof code === 'string' && code !== '') return code;
    if (typeof code === 'number') return code;
    if (typeof statusCode === 'number') return statusCode;
  }
  return undefined;
}

export function classifyClusterError(err: Error): ClusterProblem {
  const code = codeOf(err);
  const message = err.message.split('\n')[0] ?? '';
  const http = typeof code === 'number' ? code : Number(/^HTTP[- ](?:Code: )?(\d{3})/.exec(message)?.[1] ?? NaN);
  if (http === 401)
    return {
      class: 'unauthorized',
      reason: 'HTTP 401 Unauthorized: the API server refuses the credentials of the kubeconfig (token or client certificate)',
    };
  if (http === 403)
    return { class: 'forbidden', reason: 'HTTP 403 Forbidden: the credentials lack the RBAC permissions kube-as3 needs (list and watch)' };
  if (Number.isInteger(http)) return { class: 'http', reason: `the API server answered HTTP ${http}` };
  if (typeof code === 'string') {
    if (code === 'ECONNREFUSED')
      return { class: 'refused', reason: 'connection refused (ECONNREFUSED): nothing listens at the API server address' };
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return { class: 'dns', reason: `host not found (${code})` };
    if (/TIMEDOUT|TIMEOUT|ECONNABORTED/i.test(code)) return { class: 'timeout', reason: `no answer in time (${code})` };
    if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH')
      return { class: 'reset', reason: `connection failed (${code})` };
    if (TLS_CODE.test(code))
      return {
        class: 'certificate',
        reason: `certificate error (${code}): the API server's certificate is not trusted by the kubeconfig's certificate-authority`,
      };
  }
  return { class: 'other', reason: message || String(code ?? 'unknown error') };
}

export interface ClusterProblemsOptions {
  log: Log;
  /** The API server of each cluster, for the log line. */
  server: (cluster: string) => string | undefined;
  now?: () => number;
  /** First pause before the same problem is logged again; doubles up to `maxRepeatMs`. */
  firstRepeatMs?: number;
  maxRepeatMs?: number;
  /** Every failure, for the metric. */
  onFailure?: (cluster: string, problem: ClusterProblem) => void;
}

interface Failing {
  problem: ClusterProblem;
  loggedAt: number;
  /** Lines written for this problem: the pause before the next one is the backoff for that many. */
  lines: number;
  /** Failures (informer starts or restarts) since the last line. */
  failures: number;
  kinds: Set<string>;
}

export class ClusterProblems {
  private readonly failing = new Map<string, Failing>();
  private readonly now: () => number;

  constructor(private readonly options: ClusterProblemsOptions) {
    this.now = options.now ?? Date.now;
  }

  /** A watch of `cluster` failed: logged at once when new or different, else once per (growing) pause. */
  failed(cluster: string, kind: string, error: Error): void {
    const problem = classifyClusterError(error);
    this.options.onFailure?.(cluster, problem);
    const now = this.now();
    const pacing = { baseMs: this.options.firstRepeatMs ?? 10_000, maxMs: this.options.maxRepeatMs ?? 300_000 };
    const current = this.failing.get(cluster);
    if (current && current.problem.reason === problem.reason) {
      current.failures++;
      current.kinds.add(kind);
      if (now - current.loggedAt < backoffCeiling(current.lines, pacing)) return;
      this.write(cluster, current, now);
      return;
    }
    const fresh: Failing = { problem, loggedAt: now, lines: 0, failures: 1, kinds: new Set([kind]) };
    this.failing.set(cluster, fresh);
    this.write(cluster, fresh, now);
  }

  /** Every watch of `cluster` is connected again. */
  recovered(cluster: string): void {
    const was = this.failing.get(cluster);
    if (!was) return;
    this.failing.delete(cluster);
    this.options.log.info(
      { cluster, server: this.options.server(cluster) },
      `cluster ${cluster} can be read again (it failed with: ${was.problem.reason})`,
    );
  }

  /** The current reason `cluster` cannot be read, if any. */
  reason(cluster: string): string | undefined {
    return this.failing.get(cluster)?.problem.reason;
  }

  private write(cluster: string, failing: Failing, now: number): void {
    const server = this.options.server(cluster);
    this.options.log.error(
      { cluster, server, reason: failing.problem.class, failures: failing.failures, kinds: [...failing.kinds].sort() },
      `cluster ${cluster}${server ? ` (${server})` : ''} cannot be read: ${failing.problem.reason}; retrying with backoff`,
    );
    failing.loggedAt = now;
    failing.lines++;
    failing.failures = 0;
    failing.kinds.clear();
  }
}
