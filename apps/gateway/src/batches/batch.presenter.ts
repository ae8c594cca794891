import { BatchSummary } from '@vulnscan/scan-data';

/** A batch is active while any of its scans is queued or running. */
export function presentBatch({ batch, counts }: BatchSummary) {
  const status = batch.canceledAt ? 'canceled' : counts.queued + counts.running > 0 ? 'active' : 'completed';
  return {
    id: batch.id,
    source: batch.source,
    schedule_id: batch.scheduleId,
    status,
    count: batch.count,
    deduplicated: batch.deduplicated,
    skipped: batch.skipped,
    counts,
    created_at: batch.createdAt.toISOString(),
    canceled_at: batch.canceledAt?.toISOString() ?? null,
  };
}

export function presentBatchCreated(outcome: { batchId: string; count: number; deduplicated: number; skipped: number }) {
  return { batch_id: outcome.batchId, count: outcome.count, deduplicated: outcome.deduplicated, skipped: outcome.skipped };
}
