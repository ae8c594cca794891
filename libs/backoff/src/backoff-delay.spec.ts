import { backoffDelayMs } from './backoff-delay';

describe('backoffDelayMs', () => {
  const policy = { baseMs: 1000, capMs: 60_000 };
  /** Math.random never returns 1; this is the closed upper end of the jitter range. */
  const top = () => 1;
  const bottom = () => 0;

  it('draws uniformly from [0, base·2^(attempt-1)] (full jitter)', () => {
    expect([0.25, 0.5, 0.75].map((r) => backoffDelayMs(3, policy, undefined, () => r))).toEqual([1000, 2000, 3000]);
  });

  it('doubles the ceiling with each attempt', () => {
    expect([1, 2, 3, 4, 5].map((attempt) => backoffDelayMs(attempt, policy, undefined, top))).toEqual([1000, 2000, 4000, 8000, 16000]);
  });

  it('caps the ceiling, and the jitter still applies below the cap', () => {
    expect(backoffDelayMs(7, policy, undefined, top)).toBe(60_000);
    expect(backoffDelayMs(20, policy, undefined, () => 0.5)).toBe(30_000);
  });

  it('never returns less than 1 ms (a zero message expiration would skip the delay)', () => {
    expect(backoffDelayMs(1, policy, undefined, bottom)).toBe(1);
    expect(backoffDelayMs(3, { baseMs: 0, capMs: 60_000 }, undefined, top)).toBe(1);
  });

  it('does not overflow for huge attempt numbers', () => {
    expect(backoffDelayMs(10_000, policy, undefined, top)).toBe(60_000);
    expect(backoffDelayMs(Number.MAX_SAFE_INTEGER, { baseMs: 1, capMs: Number.MAX_SAFE_INTEGER }, undefined, top)).toBe(2 ** 40);
  });

  it('treats an attempt below 1 as the first', () => {
    expect(backoffDelayMs(0, policy, undefined, top)).toBe(1000);
    expect(backoffDelayMs(-3, policy, undefined, top)).toBe(1000);
  });

  it('rounds to whole milliseconds', () => {
    expect(backoffDelayMs(1, policy, undefined, () => 0.1234)).toBe(123);
  });

  it('uses a Retry-After as a floor under the jitter', () => {
    expect(backoffDelayMs(1, policy, 2000, bottom)).toBe(2000);
    expect(backoffDelayMs(1, policy, 2000, top)).toBe(2000);
    expect(backoffDelayMs(4, policy, 2000, () => 0.5)).toBe(4000);
  });

  it('ignores an absent, zero, negative or non-finite floor', () => {
    for (const floor of [undefined, 0, -5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(backoffDelayMs(2, policy, floor, () => 0.1)).toBe(200);
    }
  });

  it('lets a floor beyond the cap stand when the policy does not bound it', () => {
    expect(backoffDelayMs(1, policy, 3_600_000, top)).toBe(3_600_000);
  });

  it('bounds the floor by floorCapMs when the policy has one', () => {
    const bounded = { ...policy, floorCapMs: 60_000 };
    expect(backoffDelayMs(1, bounded, 86_400_000, bottom)).toBe(60_000);
    expect(backoffDelayMs(1, bounded, 30_000, bottom)).toBe(30_000);
  });

  it('stays within [1, ceiling] with the real Math.random', () => {
    for (let i = 0; i < 1000; i += 1) {
      const delay = backoffDelayMs(3, policy);
      expect(delay).toBeGreaterThanOrEqual(1);
      expect(delay).toBeLessThanOrEqual(4000);
    }
  });
});
