/**
 * Retry delays for a busy or unreachable BIG-IP (docs/cli.md, "How apply changes the BIG-IP": exponential backoff with jitter, bounded).
 *
 * "Full jitter" (a uniformly random delay between 0 and the exponential ceiling) spreads the
 * retries of several controllers that were refused at the same moment, so they do not hit AS3's
 * single configuration lock again in lockstep. The ceiling never exceeds `maxMs`, so a long outage
 * never turns into an unbounded wait.
 */

export interface BackoffPolicy {
  /** Ceiling of the first retry's delay. */
  baseMs: number;
  /** Upper bound of every delay, however many retries came before. */
  maxMs: number;
}

/**
 * The delay before retry number `attempt` (1 for the first retry): a random value in
 * `[0, min(maxMs, baseMs * 2^(attempt - 1)))`, rounded down to whole milliseconds.
 * Pure: `random` is injectable (defaults to Math.random) so tests get exact values.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const ceiling = backoffCeiling(attempt, policy);
  return Math.floor(clampUnit(random()) * ceiling);
}

/** The exponential ceiling for `attempt`, never above `maxMs` nor below zero. */
export function backoffCeiling(attempt: number, policy: BackoffPolicy): number {
  const maxMs = Math.max(0, policy.maxMs);
  const baseMs = Math.min(Math.max(0, policy.baseMs), maxMs);
  const exponent = Number.isFinite(attempt) ? Math.max(0, Math.floor(attempt) - 1) : 0;
  // 2^1024 is Infinity; Math.min then yields maxMs, so huge attempt numbers stay bounded.
  return Math.min(maxMs, baseMs * 2 ** exponent);
}

/** Keeps a misbehaving random source inside [0, 1) so the bound holds whatever it returns. */
function clampUnit(value: number): number {
  if (!Number.isFinite(value) || value <= 0) return 0;
  return value >= 1 ? 1 - Number.EPSILON : value;
}
