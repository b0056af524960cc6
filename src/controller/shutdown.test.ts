import assert from 'node:assert/strict';
import { DEFAULT_SHUTDOWN_DEADLINE_MS, shutDown, stopReason } from './shutdown.js';
import type { ShutdownTimer } from './shutdown.js';
import type { Log } from './reconciler.js';

function recorder(): Log & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (_o, msg) => void lines.push(`info ${msg}`),
    warn: (_o, msg) => void lines.push(`warn ${msg}`),
    error: (o, msg) => void lines.push(`error ${msg}${'waitingFor' in o ? ` [${String(o.waitingFor)}]` : ''}`),
  };
}

/** A deadline timer the test fires itself: nothing waits for real time. */
function manualTimer(): { setTimer: (fn: () => void, ms: number) => ShutdownTimer; fire(): void; armed: number[] } {
  const pending: Array<{ fn: () => void; cancelled: boolean }> = [];
  const armed: number[] = [];
  return {
    armed,
    setTimer: (fn, ms) => {
      const entry = { fn, cancelled: false };
      pending.push(entry);
      armed.push(ms);
      return { cancel: () => void (entry.cancelled = true) };
    },
    fire: () => {
      for (const entry of pending.splice(0)) if (!entry.cancelled) entry.fn();
    },
  };
}

const never = new Promise<void>(() => undefined);

describe('shutDown: one stop path with a deadline', () => {
  it('logs the reason and each wait, and ends when the stop finished (deadline 10 s by default, cancelled)', async () => {
    const log = recorder();
    const timer = manualTimer();
    const result = await shutDown(
      'SIGTERM',
      async (waitFor) => {
        await waitFor('the watches to close', Promise.resolve());
        await waitFor('the lease release', Promise.reject(new Error('API server gone')));
      },
      { log, setTimer: timer.setTimer },
    );
    assert.deepEqual(result, { outcome: 'stopped', waitingFor: [] });
    assert.deepEqual(timer.armed, [DEFAULT_SHUTDOWN_DEADLINE_MS]);
    assert.equal(DEFAULT_SHUTDOWN_DEADLINE_MS, 10_000);
    assert.deepEqual(log.lines, [
      'info stopping',
      'info stopping: waiting for the watches to close',
      'info stopping: waiting for the lease release',
      'warn stopping: the lease release failed: API server gone',
    ]);
  });

  it('gives up at the deadline, saying what it still waited for and what may be half-applied', async () => {
    const log = recorder();
    const timer = manualTimer();
    const ending = shutDown('SIGINT', (waitFor) => waitFor('the AS3 post of tenant shop to be answered', never), {
      log,
      setTimer: timer.setTimer,
      deadlineMs: 3000,
      unfinished: () => ['the AS3 post of tenant shop was in flight: the BIG-IP may or may not have applied it'],
    });
    await Promise.resolve();
    timer.fire();
    assert.deepEqual(await ending, { outcome: 'deadline', waitingFor: ['the AS3 post of tenant shop to be answered'] });
    assert.deepEqual(timer.armed, [3000]);
    assert.deepEqual(log.lines.slice(-2), [
      'error the stop deadline (3 s) passed: exiting without waiting any longer [the AS3 post of tenant shop to be answered]',
      'error the AS3 post of tenant shop was in flight: the BIG-IP may or may not have applied it',
    ]);
  });

  it('gives up at once on a second signal', async () => {
    const log = recorder();
    const force = new AbortController();
    const ending = shutDown('SIGTERM', (waitFor) => waitFor('the release of the leader lease', never), {
      log,
      setTimer: manualTimer().setTimer,
      force: force.signal,
    });
    force.abort('SIGINT');
    assert.equal((await ending).outcome, 'forced');
    assert.equal(
      log.lines.at(-1),
      'error a second signal (SIGINT) came: exiting without waiting any longer [the release of the leader lease]',
    );
  });

  it('names the signal from the abort reason', () => {
    const stop = new AbortController();
    stop.abort('SIGTERM');
    assert.equal(stopReason(stop.signal), 'SIGTERM');
    const other = new AbortController();
    other.abort();
    assert.equal(stopReason(other.signal), 'stop requested');
  });
});
