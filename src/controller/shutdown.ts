/**
 * How `kube-as3 run` stops (SIGTERM from Kubernetes, SIGINT from Ctrl-C): one path, whatever state
 * the controller is in, bounded by a deadline.
 *
 * - The first signal logs `stopping` with the reason, then runs the controller's stop. Each thing
 *   the stop waits for (the reconcile pass and its AS3 post, the watches, the lease release) is
 *   logged as it is waited for, so a slow stop says why it is slow.
 * - When the stop has not finished at the deadline (default 10 s), it logs what it still waits for
 *   and gives up: the caller exits non-zero. An AS3 post still in flight is logged as such: the
 *   BIG-IP may or may not have applied it, and the next start reads the device back.
 * - A second signal gives up at once, with the same log.
 *
 * The deadline's timer is injectable, so tests prove "stops within the deadline" without waiting.
 */
import type { Log } from './reconciler.js';

export interface ShutdownTimer {
  cancel(): void;
}

export type SetShutdownTimer = (fn: () => void, ms: number) => ShutdownTimer;

/** Logs that the stop waits for `what` until `promise` settles (never rejects: a failure is logged). */
export type WaitFor = (what: string, promise: Promise<unknown>) => Promise<void>;

export interface ShutdownOptions {
  log: Log;
  /** How long the stop may take before the process exits anyway (default 10 s). */
  deadlineMs?: number;
  setTimer?: SetShutdownTimer;
  /** Aborted by a second signal: give up waiting at once. */
  force?: AbortSignal;
  /** Work the deadline would cut short and leave half-known (AS3 posts in flight), one sentence each. */
  unfinished?: () => string[];
}

/** How the stop ended: `stopped` (everything finished) or given up (`deadline`, `forced`). */
export interface ShutdownResult {
  outcome: 'stopped' | 'deadline' | 'forced';
  /** What was still awaited when it gave up. */
  waitingFor: string[];
}

export const DEFAULT_SHUTDOWN_DEADLINE_MS = 10_000;

function realTimer(fn: () => void, ms: number): ShutdownTimer {
  const handle = setTimeout(fn, ms);
  return { cancel: () => clearTimeout(handle) };
}

/** The reason an abort signal carries (`SIGTERM`, `SIGINT`), or a generic one. */
export function stopReason(signal: AbortSignal): string {
  return typeof signal.reason === 'string' ? signal.reason : 'stop requested';
}

/**
 * Runs `stop` (which reports its waits through `waitFor`) within the deadline. Resolves when the
 * stop finished, at the deadline, or at a second signal, whichever comes first; never rejects.
 */
export async function shutDown(
  reason: string,
  stop: (waitFor: WaitFor) => Promise<void>,
  options: ShutdownOptions,
): Promise<ShutdownResult> {
  const { log } = options;
  const deadlineMs = options.deadlineMs ?? DEFAULT_SHUTDOWN_DEADLINE_MS;
  const waiting = new Set<string>();
  log.info({ reason, deadlineSeconds: deadlineMs / 1000 }, 'stopping');
  const waitFor: WaitFor = async (what, promise) => {
    waiting.add(what);
    log.info({ reason }, `stopping: waiting for ${what}`);
    try {
      await promise;
    } catch (err) {
      log.warn({ reason }, `stopping: ${what} failed: ${(err as Error).message}`);
    } finally {
      waiting.delete(what);
    }
  };
  let timer: ShutdownTimer | undefined;
  let onForce: (() => void) | undefined;
  const givenUp = new Promise<'deadline' | 'forced'>((resolve) => {
    timer = (options.setTimer ?? realTimer)(() => resolve('deadline'), deadlineMs);
    onForce = () => resolve('forced');
    if (options.force?.aborted) resolve('forced');
    else options.force?.addEventListener('abort', onForce, { once: true });
  });
  const finished = stop(waitFor).then(
    () => 'stopped' as const,
    (err: unknown) => {
      log.error({ reason }, `stopping: ${(err as Error).message}`);
      return 'stopped' as const;
    },
  );
  const outcome = await Promise.race([finished, givenUp]);
  timer?.cancel();
  if (onForce) options.force?.removeEventListener('abort', onForce);
  const waitingFor = [...waiting];
  if (outcome === 'stopped') return { outcome, waitingFor };
  const why =
    outcome === 'deadline'
      ? `the stop deadline (${deadlineMs / 1000} s) passed`
      : `a second signal (${options.force ? stopReason(options.force) : reason}) came`;
  log.error({ reason, waitingFor }, `${why}: exiting without waiting any longer`);
  for (const line of options.unfinished?.() ?? []) log.error({ reason }, line);
  return { outcome, waitingFor };
}
