import { shortestGapSeconds } from './schedule-limits';

const now = new Date('2026-12-07T22:10:30Z');
const cron = (expression: string) => shortestGapSeconds({ intervalSeconds: null, cron: expression }, now);

describe('shortestGapSeconds', () => {
  it('is the interval of an interval schedule', () => {
    expect(shortestGapSeconds({ intervalSeconds: 21600, cron: null }, now)).toBe(21600);
  });

  it.each([
    ['* * * * *', 60],
    ['*/5 * * * *', 300],
    ['0 3 * * *', 86400],
    ['0 */6 * * *', 21600],
    // a burst every minute in one hour of the day, after 23 quiet hours
    ['* 4 * * *', 60],
    // two runs close together once a day
    ['0,2 9 * * *', 120],
    // seconds field: every 10 seconds
    ['*/10 * * * * *', 10],
    ['0 0 1 1 *', 365 * 86400],
  ])('finds the closest runs of %s: %i s', (expression, seconds) => {
    expect(cron(expression)).toBe(seconds);
  });
});
