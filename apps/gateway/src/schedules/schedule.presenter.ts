import { BatchSummary, ScheduleRow } from '@vulnscan/scan-data';
import { presentBatch } from '../batches/batch.presenter';

function presentTarget(schedule: ScheduleRow) {
  switch (schedule.targetKind) {
    case 'image':
      return { type: 'image', image: schedule.image };
    case 'repository':
      return { type: 'repository', repository: `${schedule.registry}/${schedule.repository}`, tag_filter: schedule.tagFilter };
    case 'catalog':
      return { type: 'catalog', registry: schedule.registry, tag_filter: schedule.tagFilter };
  }
}

/** A schedule as API users see it, with its last batch counted per status. */
export const presentSchedule = (schedule: ScheduleRow, lastBatch: BatchSummary | undefined) => ({
  id: schedule.id,
  name: schedule.name,
  target: presentTarget(schedule),
  interval_seconds: schedule.intervalSeconds,
  cron: schedule.cron,
  enabled: schedule.enabled,
  next_run_at: schedule.enabled ? schedule.nextRunAt.toISOString() : null,
  last_run_at: schedule.lastRunAt?.toISOString() ?? null,
  last_batch: lastBatch ? presentBatch(lastBatch) : null,
  last_error: schedule.lastError,
  created_at: schedule.createdAt.toISOString(),
  updated_at: schedule.updatedAt.toISOString(),
});
