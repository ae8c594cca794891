import { BatchRow, BatchSource } from '@vulnscan/scan-data';
import { presentBatch, presentBatchCreated } from './batch.presenter';

const batch = (changes: Partial<BatchRow> = {}): BatchRow => ({
  id: 'b1',
  tenantId: 't1',
  source: BatchSource.Bulk,
  scheduleId: null,
  count: 3,
  skipped: 1,
  deduplicated: 2,
  createdAt: new Date('2026-12-07T10:00:00Z'),
  canceledAt: null,
  ...changes,
});

const counts = (queued: number, running: number, completed: number) => ({ queued, running, completed, failed: 0, canceled: 0 });

describe('batch presenter', () => {
  it('shows a batch active while any scan is queued or running', () => {
    expect(presentBatch({ batch: batch(), counts: counts(1, 0, 2) })).toEqual({
      id: 'b1',
      source: 'bulk',
      schedule_id: null,
      status: 'active',
      count: 3,
      deduplicated: 2,
      skipped: 1,
      counts: { queued: 1, running: 0, completed: 2, failed: 0, canceled: 0 },
      created_at: '2026-12-07T10:00:00.000Z',
      canceled_at: null,
    });
    expect(presentBatch({ batch: batch(), counts: counts(0, 1, 2) }).status).toBe('active');
  });

  it('shows it completed when nothing is left to run, and canceled once canceled whatever runs', () => {
    expect(presentBatch({ batch: batch(), counts: counts(0, 0, 3) }).status).toBe('completed');
    const canceled = presentBatch({ batch: batch({ canceledAt: new Date('2026-12-07T10:05:00Z') }), counts: counts(0, 1, 0) });
    expect([canceled.status, canceled.canceled_at]).toEqual(['canceled', '2026-12-07T10:05:00.000Z']);
  });

  it('answers a created batch in snake_case', () => {
    expect(presentBatchCreated({ batchId: 'b1', count: 3, deduplicated: 2, skipped: 1 })).toEqual({
      batch_id: 'b1',
      count: 3,
      deduplicated: 2,
      skipped: 1,
    });
  });
});
