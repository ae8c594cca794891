import { BatchRow, BatchSource, ScheduleRow } from '@vulnscan/scan-data';
import { presentSchedule } from './schedule.presenter';

const schedule = (changes: Partial<ScheduleRow>): ScheduleRow => ({
  id: 'sch1',
  tenantId: 't1',
  name: 'nightly',
  targetKind: 'repository',
  image: null,
  registry: 'ghcr.io',
  repository: 'acme/api',
  tagFilter: '^v',
  intervalSeconds: null,
  cron: '0 3 * * *',
  enabled: true,
  nextRunAt: new Date('2026-12-08T03:00:00Z'),
  lastRunAt: null,
  lastBatchId: null,
  lastError: null,
  createdBy: 'key-1',
  createdAt: new Date('2026-12-07T10:00:00Z'),
  updatedAt: new Date('2026-12-07T10:00:00Z'),
  ...changes,
});

describe('schedule presenter', () => {
  it('shows a repository schedule with its target spelled as one reference', () => {
    expect(presentSchedule(schedule({}), undefined)).toEqual({
      id: 'sch1',
      name: 'nightly',
      target: { type: 'repository', repository: 'ghcr.io/acme/api', tag_filter: '^v' },
      interval_seconds: null,
      cron: '0 3 * * *',
      enabled: true,
      next_run_at: '2026-12-08T03:00:00.000Z',
      last_run_at: null,
      last_batch: null,
      last_error: null,
      created_at: '2026-12-07T10:00:00.000Z',
      updated_at: '2026-12-07T10:00:00.000Z',
    });
  });

  it('shows image and catalog targets, and no next run while disabled', () => {
    expect(presentSchedule(schedule({ targetKind: 'image', image: 'docker.io/library/alpine:latest' }), undefined).target).toEqual({
      type: 'image',
      image: 'docker.io/library/alpine:latest',
    });
    expect(presentSchedule(schedule({ targetKind: 'catalog', tagFilter: null }), undefined).target).toEqual({
      type: 'catalog',
      registry: 'ghcr.io',
      tag_filter: null,
    });
    expect(presentSchedule(schedule({ enabled: false }), undefined).next_run_at).toBeNull();
  });

  it('includes its last batch, counted per status', () => {
    const batch: BatchRow = {
      id: 'b1',
      tenantId: 't1',
      source: BatchSource.Schedule,
      scheduleId: 'sch1',
      count: 1,
      skipped: 0,
      deduplicated: 0,
      createdAt: new Date('2026-12-07T03:00:00Z'),
      canceledAt: null,
    };
    const counts = { queued: 0, running: 0, completed: 1, failed: 0, canceled: 0 };
    expect(presentSchedule(schedule({ lastBatchId: 'b1' }), { batch, counts }).last_batch).toMatchObject({
      id: 'b1',
      schedule_id: 'sch1',
      status: 'completed',
    });
  });
});
