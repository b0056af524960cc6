/**
 * The one backoff of kube-as3: exponential with a cap, and optional jitter. Used by the BIG-IP
 * client's retries (bigip/rest-client.ts), the replacement of a failed informer
 * (watch/cluster-watch.ts), the retry of a failed reconcile pass (controller/reconciler.ts) and the
 * pacing of a repeated "cluster cannot be read" line (controller/cluster-problems.ts).
 *
 * Jitter, when asked for, spreads retries of several clients refused at the same moment so they do
 * not come back in lockstep:
 * - `'full'`: a uniformly random delay in [0, ceiling) (AWS's "full jitter"), for AS3's single
 *   configuration lock, where spreading matters most;
 * - a number `s` in (0, 1]: the ceiling times a random factor in [1 - s, 1 + s), for informer
 *   restarts, where the delay should stay near the ceiling;
 * - none: exactly the ceiling (a single reconcile loop or log line has nobody to collide with).
 * The ceiling never exceeds `maxMs`, so a long outage never turns into an unbounded wait. Pure: the
 * random source is injectable (defaults to Math.random) so tests get exact values.
 */

export interface BackoffPolicy {
  /** Ceiling of the first retry's delay. */
  baseMs: number;
  /** Upper bound of every ceiling, however many retries came before. */
  maxMs: number;
  /** None (the default), `'full'`, or the spread `s` of a factor in [1 - s, 1 + s). */
  jitter?: 'full' | number;
}

/** The exponential ceiling for retry number `attempt` (1 for the first): `min(maxMs, baseMs * 2^(attempt - 1))`, never below zero. */
export function backoffCeiling(attempt: number, policy: BackoffPolicy): number {
  const maxMs = Math.max(0, policy.maxMs);
  const baseMs = Math.min(Math.max(0, policy.baseMs), maxMs);
  const exponent = Number.isFinite(attempt) ? Math.max(0, Math.floor(attempt) - 1) : 0;
  // 2^1024 is Infinity; Math.min then yields maxMs, so huge attempt numbers stay bounded.
  return Math.min(maxMs, baseMs * 2 ** exponent);
}

/**
 * The delay before retry number `attempt` (1 for the first retry), in whole milliseconds: the
 * ceiling with the policy's jitter applied (see the file comment).
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const ceiling = backoffCeiling(attempt, policy);
  const jitter = policy.jitter;
  if (jitter === 'full') return Math.floor(clampUnit(random()) * ceiling);
  if (typeof jitter === 'number' && jitter > 0) {
    const spread = Math.min(1, jitter);
    return Math.round(ceiling * (1 - spread + 2 * spread * clampUnit(random())));
  }
  return ceiling;
}

/** Keeps a misbehaving random source inside [0, 1) so the bounds hold whatever it returns. */
function clampUnit(value: number): number {
  if (!Number.isFinite(value) || value <= 0) return 0;
  return value >= 1 ? 1 - Number.EPSILON : value;
}
