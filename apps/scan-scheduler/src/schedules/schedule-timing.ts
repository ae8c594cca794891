import { CronExpressionParser } from 'cron-parser';

export interface ScheduleTiming {
  intervalSeconds: number | null;
  cron: string | null;
}

/**
 * When a schedule runs next after `now`. An interval schedule keeps its phase (previous planned
 * run + interval) but never catches up on runs missed while no scheduler was up; a cron schedule
 * runs at the expression's next time (UTC).
 */
export function nextRunAfter(timing: ScheduleTiming, previous: Date | null, now: Date): Date {
  if (timing.cron !== null) {
    return CronExpressionParser.parse(timing.cron, { currentDate: now, tz: 'UTC' }).next().toDate();
  }
  const intervalMs = timing.intervalSeconds! * 1000;
  const planned = previous ? previous.getTime() + intervalMs : now.getTime() + intervalMs;
  return new Date(planned > now.getTime() ? planned : now.getTime() + intervalMs);
}

/** The first run of a new (or re-timed) schedule: an interval schedule runs at once, a cron one at its next time. */
export function firstRun(timing: ScheduleTiming, now: Date): Date {
  return timing.cron !== null ? nextRunAfter(timing, null, now) : now;
}
