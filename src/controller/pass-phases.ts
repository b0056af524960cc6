/**
 * Where a reconcile pass spends its time, phase by phase: what `kube_as3_reconcile_phase_seconds`
 * and the pass's log line report, so an operator (and bench/run-controller.ts) can tell planning
 * from local validation, the AS3 post (the device and the task polls) and the status writes.
 */

/** The phases of one pass, in the order they run. */
export const PASS_PHASES = ['connect', 'plan', 'ipam', 'validate', 'post', 'release', 'status', 'events'] as const;
export type PassPhase = (typeof PASS_PHASES)[number];

/** Milliseconds per phase (phases that did not run are absent). */
export type PhaseTimes = Partial<Record<PassPhase, number>>;

/** Adds up the time spent per phase during one pass. */
export class PhaseClock {
  private readonly spent: PhaseTimes = {};

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Adds `ms` to `phase`. */
  add(phase: PassPhase, ms: number): void {
    this.spent[phase] = (this.spent[phase] ?? 0) + ms;
  }

  /** Runs `work`, counting its time (also when it throws) to `phase`. */
  async time<T>(phase: PassPhase, work: () => Promise<T>): Promise<T> {
    const started = this.now();
    try {
      return await work();
    } finally {
      this.add(phase, this.now() - started);
    }
  }

  /** The same for synchronous work. */
  timeSync<T>(phase: PassPhase, work: () => T): T {
    const started = this.now();
    try {
      return work();
    } finally {
      this.add(phase, this.now() - started);
    }
  }

  /** The times so far, rounded to 0.1 ms (for a log line). */
  times(): PhaseTimes {
    const out: PhaseTimes = {};
    for (const phase of PASS_PHASES) {
      const ms = this.spent[phase];
      if (ms !== undefined) out[phase] = Math.round(ms * 10) / 10;
    }
    return out;
  }
}
