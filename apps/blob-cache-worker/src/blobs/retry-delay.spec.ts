import { downloadRetryDelaySeconds } from './retry-delay';

describe('downloadRetryDelaySeconds', () => {
  const middle = () => 0.5; // no jitter

  it('doubles per attempt from the base and stops at an hour', () => {
    expect([1, 2, 3, 4].map((attempt) => downloadRetryDelaySeconds(attempt, 5, undefined, middle))).toEqual([5, 10, 20, 40]);
    expect(downloadRetryDelaySeconds(30, 5, undefined, middle)).toBe(3600);
  });

  it('spreads by ±50 % and never comes sooner than Retry-After', () => {
    expect(downloadRetryDelaySeconds(1, 10, undefined, () => 0)).toBe(5);
    expect(downloadRetryDelaySeconds(1, 10, undefined, () => 0.999)).toBe(15);
    expect(downloadRetryDelaySeconds(1, 5, 120, middle)).toBe(120);
  });
});
