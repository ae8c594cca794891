import { ScanErrorCode } from '@vulnscan/contracts';
import { counter, gauge, histogram } from '@vulnscan/observability';
import type { ScanEntity } from '@vulnscan/scheduler-entities';

/** How a scan ended: its final status. */
export type ScanOutcome = 'completed' | 'failed' | 'canceled';

/** Scans wait in the backlog, so the range runs from a cached rematch (under a second) to hours. */
const DURATION_BUCKETS = [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 3 * 3600, 12 * 3600];

const scanDuration = histogram(
  'vulnscan_scan_duration_seconds',
  "From a scan's creation to its end (backlog wait and every attempt included), by trigger and outcome",
  ['trigger', 'outcome'],
  DURATION_BUCKETS,
);

const retries = counter('vulnscan_scan_retries_total', 'Scan attempts that failed with a retryable error and were given a new attempt', [
  'code',
]);

const registryErrors = counter(
  'vulnscan_registry_errors_total',
  'Failed scan attempts whose error came from the registry (or the blob cache standing in for it), by code',
  ['code'],
);

/**
 * Codes that mean the registry misbehaved or said no: it refused, failed, could not be reached, or
 * served a broken manifest or bytes that do not match their digest. A well-formed answer we cannot
 * use (an artifact, a missing platform), our own limits and policy, timeouts and crashes are not
 * the registry's doing and are left out.
 */
export const REGISTRY_ERROR_CODES: ReadonlySet<string> = new Set<string>([
  ScanErrorCode.NotFound,
  ScanErrorCode.Unauthorized,
  ScanErrorCode.RateLimited,
  ScanErrorCode.Unreachable,
  ScanErrorCode.DigestMismatch,
  ScanErrorCode.ManifestInvalid,
]);

/** Platform-wide numbers, the same from every scheduler replica (aggregate them with max, not sum). */
export const SchedulerGauges = {
  queueDepth: gauge(
    'vulnscan_scan_queue_depth',
    'Queued scans not yet handed to a worker (retries waiting for their backoff included), by trigger class: api or background',
    ['trigger_class'],
  ),
  inFlight: gauge('vulnscan_scans_in_flight', 'Scans handed to a worker and not finished yet', []),
  workers: gauge('vulnscan_scan_workers', 'Consumers of the scan work queue (scanner-worker processes) at the last heartbeat', []),
};

export function observeScanFinished(scan: Pick<ScanEntity, 'trigger' | 'createdAt' | 'completedAt'>, outcome: ScanOutcome): void {
  const end = scan.completedAt ?? new Date();
  scanDuration.observe({ trigger: scan.trigger, outcome }, Math.max(0, (end.getTime() - scan.createdAt.getTime()) / 1000));
}

export function countAttemptError(code: string): void {
  if (REGISTRY_ERROR_CODES.has(code)) registryErrors.inc({ code });
}

export function countRetry(code: string): void {
  retries.inc({ code });
}
