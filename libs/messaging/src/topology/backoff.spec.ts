import { retryDelayMs } from './backoff';

describe('retryDelayMs', () => {
  it('doubles per level from the base delay (no jitter at factor 1)', () => {
    const middle = () => 0.5;
    expect([1, 2, 3, 4, 5].map((level) => retryDelayMs(level, 500, 60_000, middle))).toEqual([500, 1000, 2000, 4000, 8000]);
  });

  it('caps the exponential part at the max delay', () => {
    expect(retryDelayMs(20, 500, 60_000, () => 0.5)).toBe(60_000);
    expect(retryDelayMs(8, 500, 60_000, () => 0.5)).toBe(60_000);
  });

  it('stays within 0.5x and 1.5x of the capped delay at the extremes of the jitter', () => {
    expect(retryDelayMs(3, 500, 60_000, () => 0)).toBe(1000);
    expect(retryDelayMs(3, 500, 60_000, () => 0.999999)).toBe(3000);
    expect(retryDelayMs(30, 500, 60_000, () => 0)).toBe(30_000);
    expect(retryDelayMs(30, 500, 60_000, () => 0.999999)).toBe(90_000);
  });

  it('keeps every random draw inside the bounds', () => {
    for (let level = 1; level <= 10; level += 1) {
      const capped = Math.min(60_000, 500 * 2 ** (level - 1));
      for (let i = 0; i < 500; i += 1) {
        const delay = retryDelayMs(level, 500, 60_000);
        expect(delay).toBeGreaterThanOrEqual(Math.floor(capped * 0.5));
        expect(delay).toBeLessThanOrEqual(Math.ceil(capped * 1.5));
      }
    }
  });

  it('never returns zero (a zero expiration would skip the delay entirely)', () => {
    expect(retryDelayMs(1, 1, 1, () => 0)).toBe(1);
  });
});
