import { CronExpressionParser } from 'cron-parser';
import { ScheduleTiming } from './schedule-timing';

/**
 * Upcoming runs of a cron expression looked at to find its shortest gap. Cron fields repeat within
 * a day (minutes, hours) or a year (days, months), so the closest runs show up early: 200 covers a
 * burst of every minute within an hour that comes up again after a sparse stretch.
 */
const CRON_RUNS_EXAMINED = 200;

/**
 * The shortest time between two runs of a timing, in seconds: its interval, or the smallest gap
 * among a cron expression's next runs (UTC) from `now`.
 */
export function shortestGapSeconds(timing: ScheduleTiming, now: Date): number {
  if (timing.cron === null) return timing.intervalSeconds!;
  const runs = CronExpressionParser.parse(timing.cron, { currentDate: now, tz: 'UTC' });
  let previous = runs.next().getTime();
  let shortest = Number.POSITIVE_INFINITY;
  for (let examined = 1; examined < CRON_RUNS_EXAMINED && runs.hasNext(); examined++) {
    const next = runs.next().getTime();
    shortest = Math.min(shortest, next - previous);
    previous = next;
  }
  return shortest / 1000;
}
