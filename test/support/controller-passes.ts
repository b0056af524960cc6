/**
 * Waiting on the live controller's passes (events, not sleeps): resolves at the first pass after
 * which `check` holds (checked at once too, unless a pass is under way); rejects after `passes`
 * passes without.
 */
import type { RunningController } from '../../src/controller/controller.js';
import type { PassRecord } from '../../src/controller/reconciler.js';

export function passUntil(controller: RunningController, check: () => boolean | Promise<boolean>, passes = 30): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let seen = 0;
    let done = false;
    // Checks run one after the other: the one at once, then one after each pass.
    let checking = Promise.resolve();
    const run = (record: PassRecord | undefined): void => {
      checking = checking
        .then(async () => {
          if (done) return;
          if (record) seen++;
          if (await check()) {
            done = true;
            controller.events.off('pass', listener);
            resolve();
          } else if (seen >= passes) {
            done = true;
            controller.events.off('pass', listener);
            reject(new Error(`still not there after ${seen} passes; last: ${JSON.stringify(record)}`));
          }
        })
        .catch((err: unknown) => {
          done = true;
          controller.events.off('pass', listener);
          reject(err as Error);
        });
    };
    const listener = (record: PassRecord): void => run(record);
    controller.events.on('pass', listener);
    // Checked at once only between passes: a pass under way may have written part of its results.
    if (!controller.reconciler.busy) run(undefined);
  });
}
