import assert from 'node:assert/strict';
import { backoffCeiling, backoffDelay } from './backoff.js';
import type { BackoffPolicy } from './backoff.js';

describe('backoff', () => {
  const policy = { baseMs: 500, maxMs: 30_000 };
  const full: BackoffPolicy = { ...policy, jitter: 'full' };

  it('doubles the ceiling per retry until maxMs', () => {
    const ceilings = [1, 2, 3, 4, 5, 6, 7, 8].map((attempt) => backoffCeiling(attempt, policy));
    assert.deepEqual(ceilings, [500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
  });

  it('gives the delays each user of it had before (table)', () => {
    const cases: Array<[user: string, policy: BackoffPolicy, attempt: number, random: number, expected: number]> = [
      // BIG-IP retries: full jitter, 500 ms up to 30 s.
      ['BIG-IP', full, 1, 0, 0],
      ['BIG-IP', full, 1, 0.5, 250],
      ['BIG-IP', full, 3, 0.5, 1000],
      ['BIG-IP', full, 3, 0.999, 1998],
      ['BIG-IP', full, 10, 0.5, 15_000],
      // Informer restarts: ±25 % around 500 ms doubling up to 30 s.
      ['watch', { ...policy, jitter: 0.25 }, 1, 0, 375],
      ['watch', { ...policy, jitter: 0.25 }, 1, 0.5, 500],
      ['watch', { ...policy, jitter: 0.25 }, 2, 0.999, 1250],
      ['watch', { ...policy, jitter: 0.25 }, 40, 0.5, 30_000],
      ['watch', { ...policy, jitter: 0.25 }, 40, 0, 22_500],
      // Reconcile pass retries: no jitter, 1 s up to 60 s.
      ['reconciler', { baseMs: 1000, maxMs: 60_000 }, 1, 0.9, 1000],
      ['reconciler', { baseMs: 1000, maxMs: 60_000 }, 6, 0.9, 32_000],
      ['reconciler', { baseMs: 1000, maxMs: 60_000 }, 7, 0.9, 60_000],
      // "Cluster cannot be read" pacing: no jitter, 10 s up to 5 minutes.
      ['cluster problems', { baseMs: 10_000, maxMs: 300_000 }, 1, 0.9, 10_000],
      ['cluster problems', { baseMs: 10_000, maxMs: 300_000 }, 5, 0.9, 160_000],
      ['cluster problems', { baseMs: 10_000, maxMs: 300_000 }, 6, 0.9, 300_000],
    ];
    for (const [user, p, attempt, random, expected] of cases) {
      assert.equal(
        backoffDelay(attempt, p, () => random),
        expected,
        `${user}: attempt ${attempt}, random ${random}`,
      );
    }
  });

  it('never leaves the jitter bounds, whatever the random source returns', () => {
    for (const random of [1, 1.5, -0.2, Number.NaN, Number.POSITIVE_INFINITY]) {
      const delay = backoffDelay(2, full, () => random);
      assert.ok(delay >= 0 && delay < 1000, `full: random ${random} gave ${delay}`);
      const spread = backoffDelay(2, { ...policy, jitter: 0.25 }, () => random);
      assert.ok(spread >= 750 && spread <= 1250, `±25 %: random ${random} gave ${spread}`);
    }
  });

  it('stays bounded for absurd attempt numbers', () => {
    assert.equal(backoffCeiling(5000, policy), 30_000);
    assert.equal(backoffCeiling(Number.POSITIVE_INFINITY, policy), 500);
    assert.equal(backoffCeiling(0, policy), 500);
    assert.equal(backoffCeiling(-3, policy), 500);
  });

  it('never exceeds maxMs even when baseMs is larger', () => {
    assert.equal(backoffCeiling(1, { baseMs: 10_000, maxMs: 2000 }), 2000);
  });

  it('uses Math.random by default and stays within the ceiling', () => {
    for (let i = 0; i < 100; i++) {
      const delay = backoffDelay(4, full);
      assert.ok(delay >= 0 && delay < 4000);
    }
  });
});
