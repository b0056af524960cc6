import assert from 'node:assert/strict';
import { backoffCeiling, backoffDelay } from './backoff.js';

describe('backoffDelay', () => {
  const policy = { baseMs: 500, maxMs: 30_000 };

  it('doubles the ceiling per retry until maxMs', () => {
    const ceilings = [1, 2, 3, 4, 5, 6, 7, 8].map((attempt) => backoffCeiling(attempt, policy));
    assert.deepEqual(ceilings, [500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
  });

  it('draws uniformly below the ceiling (full jitter)', () => {
    const cases: Array<[attempt: number, random: number, expected: number]> = [
      [1, 0, 0],
      [1, 0.5, 250],
      [3, 0.5, 1000],
      [3, 0.999, 1998],
      [10, 0.5, 15_000],
    ];
    for (const [attempt, random, expected] of cases) {
      assert.equal(backoffDelay(attempt, policy, () => random), expected, `attempt ${attempt}, random ${random}`);
    }
  });

  it('never reaches the ceiling or goes negative, whatever the random source returns', () => {
    for (const random of [1, 1.5, -0.2, Number.NaN, Number.POSITIVE_INFINITY]) {
      const delay = backoffDelay(2, policy, () => random);
      assert.ok(delay >= 0 && delay < 1000, `random ${random} gave ${delay}`);
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
      const delay = backoffDelay(4, policy);
      assert.ok(delay >= 0 && delay < 4000);
    }
  });
});
