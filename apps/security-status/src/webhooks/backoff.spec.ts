import { nextDelayMs, retryDelayMs } from './backoff';

const options = { baseMs: 1000, maxMs: 60_000 };

describe('webhook retry backoff', () => {
  it('doubles per attempt, within the upper half of each step', () => {
    expect([1, 2, 3, 4].map((attempt) => retryDelayMs(attempt, options, () => 0))).toEqual([500, 1000, 2000, 4000]);
    expect([1, 2, 3, 4].map((attempt) => retryDelayMs(attempt, options, () => 0.999999))).toEqual([1000, 2000, 4000, 8000]);
  });

  it('never exceeds the maximum, however many attempts', () => {
    expect(retryDelayMs(7, options, () => 0.999999)).toBe(60_000);
    expect(retryDelayMs(500, options, () => 0.999999)).toBe(60_000);
    expect(retryDelayMs(500, options, () => 0)).toBe(30_000);
  });

  it('spreads deliveries that failed together', () => {
    const delays = new Set(Array.from({ length: 50 }, () => retryDelayMs(3, options)));
    expect(delays.size).toBeGreaterThan(10);
    for (const delay of delays) {
      expect(delay).toBeGreaterThanOrEqual(2000);
      expect(delay).toBeLessThanOrEqual(4000);
    }
  });

  it("honours a receiver's Retry-After when longer, capped at the maximum", () => {
    expect(nextDelayMs(1, options, 30, () => 0)).toBe(30_000);
    expect(nextDelayMs(1, options, 0, () => 0)).toBe(500);
    expect(nextDelayMs(1, options, 86_400, () => 0)).toBe(60_000);
    expect(nextDelayMs(2, options, undefined, () => 0)).toBe(1000);
  });
});
