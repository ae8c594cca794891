import { ScanAttemptRow, ScanRow } from '@vulnscan/scan-data';

const iso = (date: Date | null) => (date ? date.toISOString() : null);

/** The scan as API users see it (snake_case, stable field names). */
export function presentScan(scan: ScanRow, attempts?: ScanAttemptRow[]) {
  return {
    scan_id: scan.id,
    image: scan.image,
    status: scan.status,
    progress: scan.progress,
    trigger: scan.trigger,
    created_at: iso(scan.createdAt),
    started_at: iso(scan.startedAt),
    completed_at: iso(scan.completedAt),
    manifest_digest: scan.manifestDigest,
    media_type: scan.mediaType,
    platform: scan.platform,
    requested_platform: scan.requestedPlatform,
    layers: (scan.layers ?? []).map((layer) => ({ digest: layer.digest, size: layer.size, media_type: layer.mediaType })),
    attempts: scan.attempt,
    ...(attempts
      ? {
          attempt_history: attempts.map((attempt) => ({
            attempt: attempt.attempt,
            status: attempt.status,
            worker_id: attempt.workerId,
            dispatched_at: iso(attempt.dispatchedAt),
            started_at: iso(attempt.startedAt),
            finished_at: iso(attempt.finishedAt),
            error: attempt.errorCode ? { code: attempt.errorCode, message: attempt.errorMessage } : null,
          })),
        }
      : {}),
    idempotency_key: scan.idempotencyKey,
    error: scan.status === 'failed' && scan.errorCode ? { code: scan.errorCode, message: scan.errorMessage } : null,
  };
}
