import { scanRetryDelayMs } from './scan-lifecycle.service';

describe('scanRetryDelayMs', () => {
  const BASE_MS = 1000;
  const TEN_MINUTES_MS = 10 * 60_000;
  /** The top of the jitter range; Math.random never returns 1, so this is the closed upper bound. */
  const top = () => 1;
  const bottom = () => 0;

  it('draws the wait uniformly from [0, base × 2^(attempt-1)] (full jitter)', () => {
    const draws = [0, 0.25, 0.5, 0.75, 0.999];
    for (const attempt of [1, 2, 3, 4]) {
      const ceiling = BASE_MS * 2 ** (attempt - 1);
      expect(draws.map((r) => scanRetryDelayMs(attempt, BASE_MS, undefined, () => r))).toEqual(draws.map((r) => r * ceiling));
    }
  });

  it('doubles the ceiling with each attempt', () => {
    expect([1, 2, 3, 4, 5].map((attempt) => scanRetryDelayMs(attempt, BASE_MS, undefined, top))).toEqual([1000, 2000, 4000, 8000, 16000]);
    expect([1, 2, 3, 4, 5].map((attempt) => scanRetryDelayMs(attempt, BASE_MS, undefined, bottom))).toEqual([0, 0, 0, 0, 0]);
  });

  it('caps the ceiling at ten minutes, and the jitter applies below the cap', () => {
    // 5 s × 2^7 = 640 s is the first ceiling past the cap
    expect(scanRetryDelayMs(7, 5000, undefined, top)).toBe(320_000);
    expect(scanRetryDelayMs(8, 5000, undefined, top)).toBe(TEN_MINUTES_MS);
    expect(scanRetryDelayMs(20, 5000, undefined, top)).toBe(TEN_MINUTES_MS);
    expect(scanRetryDelayMs(20, 5000, undefined, () => 0.5)).toBe(TEN_MINUTES_MS / 2);
  });

  it("never waits less than the registry's Retry-After", () => {
    // the first retry's jitter tops out at 1 s; a Retry-After of 2 s wins whatever the draw
    expect(scanRetryDelayMs(1, BASE_MS, 2, bottom)).toBe(2000);
    expect(scanRetryDelayMs(1, BASE_MS, 2, top)).toBe(2000);
    // a backoff longer than the Retry-After stands
    expect(scanRetryDelayMs(4, BASE_MS, 2, () => 0.5)).toBe(4000);
  });

  it('lets a Retry-After beyond the cap stand (the scan deadline decides whether to wait that long)', () => {
    expect(scanRetryDelayMs(1, BASE_MS, 3600, top)).toBe(3_600_000);
  });

  it('treats an absent or zero Retry-After as no floor', () => {
    expect(scanRetryDelayMs(2, BASE_MS, 0, () => 0.1)).toBe(200);
    expect(scanRetryDelayMs(2, BASE_MS, undefined, () => 0.1)).toBe(200);
  });

  it('with a zero base retries at once unless the registry asked for a wait', () => {
    expect(scanRetryDelayMs(3, 0, undefined, top)).toBe(0);
    expect(scanRetryDelayMs(3, 0, 5, top)).toBe(5000);
  });

  it('stays within the range with the real Math.random', () => {
    for (let i = 0; i < 1000; i++) {
      const delay = scanRetryDelayMs(3, BASE_MS);
      expect(delay).toBeGreaterThanOrEqual(0);
      expect(delay).toBeLessThanOrEqual(4000);
    }
  });
});
