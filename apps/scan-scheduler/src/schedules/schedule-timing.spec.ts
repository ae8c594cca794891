import { firstRun, nextRunAfter } from './schedule-timing';

describe('schedule timing', () => {
  const now = new Date('2026-12-04T10:15:30Z');

  it('runs an interval schedule at once, then keeps its phase', () => {
    const timing = { intervalSeconds: 3600, cron: null };
    expect(firstRun(timing, now)).toEqual(now);
    expect(nextRunAfter(timing, new Date('2026-12-04T10:15:00Z'), now)).toEqual(new Date('2026-12-04T11:15:00Z'));
  });

  it('does not catch up on runs missed while no scheduler was up', () => {
    const timing = { intervalSeconds: 60, cron: null };
    expect(nextRunAfter(timing, new Date('2026-12-01T00:00:00Z'), now)).toEqual(new Date('2026-12-04T10:16:30Z'));
  });

  it('runs a cron schedule at its next time in UTC, seconds field included', () => {
    expect(firstRun({ intervalSeconds: null, cron: '0 3 * * *' }, now)).toEqual(new Date('2026-12-05T03:00:00Z'));
    expect(nextRunAfter({ intervalSeconds: null, cron: '*/20 * * * * *' }, null, now)).toEqual(new Date('2026-12-04T10:15:40Z'));
  });
});
