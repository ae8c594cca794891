import { SCAN_ERRORS, ScanErrorCode, ScanErrorDto } from '@vulnscan/contracts';
import { ACTIVE_STATUSES } from '@vulnscan/scan-data';
import { ScanEntity } from '@vulnscan/scheduler-entities';

/**
 * Whether the scan may still change: only while it is queued or running (completed, failed and
 * canceled are final), and, for a worker's report about `attempt`, only if that is its current
 * attempt (an earlier attempt that was given up on reports too late).
 */
export function mayChange(scan: Pick<ScanEntity, 'status' | 'attempt'>, attempt?: number): boolean {
  if (!ACTIVE_STATUSES.includes(scan.status)) return false;
  return attempt === undefined || scan.attempt === attempt;
}

/**
 * Whether the current attempt is still handed out. One attempt's reports are consumed concurrently:
 * its Started or Progressed may arrive after its Failed, when the scan is queued again for the next
 * attempt (no longer dispatched). It must not revive the attempt then.
 */
export const attemptInFlight = (scan: Pick<ScanEntity, 'dispatchedAt'>): boolean => scan.dispatchedAt !== null;

/** Progress only moves forward: reports of one attempt may be consumed out of order. */
export const advancesProgress = (scan: Pick<ScanEntity, 'progress'>, progress: number): boolean => progress > scan.progress;

/**
 * Whether a failure may be worth another attempt: the error code's own verdict (registry rate
 * limits and outages are; `layers_unavailable` is not, the cache-triggered path asks again itself),
 * unless the caller knows better (an attempt that never reported back is always retryable).
 */
export function isRetryable(code: ScanErrorCode, override?: boolean): boolean {
  return override ?? SCAN_ERRORS[code]?.retryable ?? false;
}

/**
 * Whether a failed attempt gets another: the failure is retryable, the retry budget allows it
 * (attempt N is followed by attempt N+1 while N <= SCAN_MAX_RETRIES, so at most 1 + SCAN_MAX_RETRIES
 * attempts), and the next attempt would start before the scan's overall deadline.
 */
export function getsAnotherAttempt(
  scan: Pick<ScanEntity, 'attempt' | 'timeoutAt'>,
  retryable: boolean,
  nextAttemptAt: Date,
  maxRetries: number,
): boolean {
  return retryable && scan.attempt <= maxRetries && nextAttemptAt < scan.timeoutAt;
}

/** The error a scan fails with when its overall deadline (SCAN_TIMEOUT_PER_IMAGE) passes. */
export const scanDeadlinePassed = (timeoutSeconds: number): ScanErrorDto => ({
  code: ScanErrorCode.Timeout,
  message: `The scan did not finish within ${timeoutSeconds} s.`,
});

/** The error an attempt is given up with when it reported no result within ATTEMPT_TIMEOUT (then retried). */
export const attemptLost = (attempt: number, attemptTimeoutSeconds: number): ScanErrorDto => ({
  code: ScanErrorCode.Timeout,
  message: `Attempt ${attempt} reported no result within ${attemptTimeoutSeconds} s.`,
});
