/** A Log (the pino subset the controller uses) that keeps its lines and lets tests wait for one. */
import type { Log } from '../../src/controller/reconciler.js';

export interface Recorded {
  level: string;
  obj: Record<string, unknown>;
  msg: string;
}

export type RecordingLog = Log & { lines: Recorded[]; waitFor(match: string | RegExp, from?: number): Promise<Recorded> };

/**
 * `waitFor(match, from)` resolves with the first line from index `from` on (default: any) whose
 * message equals `match` (or matches it, for a RegExp), as soon as it is written.
 */
export function recordingLog(): RecordingLog {
  const lines: Recorded[] = [];
  const waiters: Array<{ test: (r: Recorded) => boolean; resolve: (r: Recorded) => void }> = [];
  const write =
    (level: string) =>
    (obj: object, msg: string): void => {
      const line = { level, obj: obj as Record<string, unknown>, msg };
      lines.push(line);
      for (const w of waiters.filter((x) => x.test(line))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    };
  return {
    lines,
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    waitFor: (match, from = 0) => {
      const test = (r: Recorded): boolean => (typeof match === 'string' ? r.msg === match : match.test(r.msg));
      const seen = lines.slice(from).find(test);
      return seen ? Promise.resolve(seen) : new Promise((resolve) => waiters.push({ test, resolve }));
    },
  };
}
