import { ScanErrorCode } from '@vulnscan/contracts';
import { ScanStatus } from '@vulnscan/scan-data';
import {
  advancesProgress,
  attemptInFlight,
  attemptLost,
  getsAnotherAttempt,
  isRetryable,
  mayChange,
  scanDeadlinePassed,
} from './scan-transitions';

describe('scan transitions', () => {
  it('applies reports of the current attempt of a queued or running scan only', () => {
    expect(mayChange({ status: ScanStatus.Running, attempt: 2 }, 2)).toBe(true);
    expect(mayChange({ status: ScanStatus.Queued, attempt: 2 }, 2)).toBe(true);
    expect(mayChange({ status: ScanStatus.Running, attempt: 2 }, 1)).toBe(false);
    expect(mayChange({ status: ScanStatus.Running, attempt: 2 }, 3)).toBe(false);
  });

  it('keeps completed, failed and canceled scans final, whatever the attempt', () => {
    for (const status of [ScanStatus.Completed, ScanStatus.Failed, ScanStatus.Canceled]) {
      expect(mayChange({ status, attempt: 1 }, 1)).toBe(false);
      expect(mayChange({ status, attempt: 1 })).toBe(false);
    }
    expect(mayChange({ status: ScanStatus.Queued, attempt: 0 })).toBe(true);
  });

  it('lets a late Started or Progressed touch only an attempt still handed out', () => {
    expect(attemptInFlight({ dispatchedAt: new Date('2026-12-07T10:00:00Z') })).toBe(true);
    expect(attemptInFlight({ dispatchedAt: null })).toBe(false);
  });

  it('moves progress forward only', () => {
    expect(advancesProgress({ progress: 40 }, 41)).toBe(true);
    expect(advancesProgress({ progress: 40 }, 40)).toBe(false);
    expect(advancesProgress({ progress: 40 }, 10)).toBe(false);
  });

  it('retries registry rate limits and outages; permanent codes fail at once', () => {
    expect(isRetryable(ScanErrorCode.RateLimited)).toBe(true);
    expect(isRetryable(ScanErrorCode.Unreachable)).toBe(true);
    for (const code of [
      ScanErrorCode.NotFound,
      ScanErrorCode.Unauthorized,
      ScanErrorCode.DigestMismatch,
      ScanErrorCode.ManifestInvalid,
      ScanErrorCode.PlatformNotFound,
      ScanErrorCode.HostNotAllowed,
      ScanErrorCode.LayerTooLarge,
      ScanErrorCode.AnalysisLimitExceeded,
      ScanErrorCode.Timeout,
      ScanErrorCode.WorkerCrashed,
      ScanErrorCode.Internal,
    ]) {
      expect([code, isRetryable(code)]).toEqual([code, false]);
    }
  });

  it('never retries layers_unavailable: the cache-triggered path asks again itself', () => {
    expect(isRetryable(ScanErrorCode.LayersUnavailable)).toBe(false);
  });

  it('retries a lost attempt (no result in time) even though timeout is not retryable by itself', () => {
    expect(isRetryable(ScanErrorCode.Timeout, true)).toBe(true);
    expect(isRetryable(ScanErrorCode.RateLimited, false)).toBe(false);
  });

  describe('retry budget and deadline', () => {
    const timeoutAt = new Date('2026-12-07T10:30:00Z');
    const soon = new Date('2026-12-07T10:00:05Z');

    it('allows attempts 1..SCAN_MAX_RETRIES to be followed by another, so 1 + SCAN_MAX_RETRIES attempts in all', () => {
      expect(getsAnotherAttempt({ attempt: 1, timeoutAt }, true, soon, 3)).toBe(true);
      expect(getsAnotherAttempt({ attempt: 3, timeoutAt }, true, soon, 3)).toBe(true);
      expect(getsAnotherAttempt({ attempt: 4, timeoutAt }, true, soon, 3)).toBe(false);
      expect(getsAnotherAttempt({ attempt: 1, timeoutAt }, true, soon, 0)).toBe(false);
    });

    it('gives up when the next attempt would start at or after the overall deadline', () => {
      expect(getsAnotherAttempt({ attempt: 1, timeoutAt }, true, new Date('2026-12-07T10:29:59Z'), 3)).toBe(true);
      expect(getsAnotherAttempt({ attempt: 1, timeoutAt }, true, timeoutAt, 3)).toBe(false);
    });

    it('never retries what is not retryable', () => {
      expect(getsAnotherAttempt({ attempt: 1, timeoutAt }, false, soon, 3)).toBe(false);
    });
  });

  it('words both of the sweeper timeouts exactly', () => {
    expect(scanDeadlinePassed(1800)).toEqual({ code: 'timeout', message: 'The scan did not finish within 1800 s.' });
    expect(attemptLost(2, 600)).toEqual({ code: 'timeout', message: 'Attempt 2 reported no result within 600 s.' });
  });
});
