/** The longest a failed download waits before its next attempt. */
export const MAX_RETRY_DELAY_SECONDS = 3600;

/**
 * Seconds before attempt `attempt + 1` of a download: `base · 2^(attempt-1)`, capped at an hour,
 * spread by ±50 % so blobs that failed together do not retry together, and never sooner than the
 * upstream's Retry-After.
 */
export function downloadRetryDelaySeconds(
  attempt: number,
  baseSeconds: number,
  retryAfterSeconds?: number,
  random: () => number = Math.random,
): number {
  const exponential = Math.min(MAX_RETRY_DELAY_SECONDS, baseSeconds * 2 ** Math.max(0, attempt - 1));
  const jittered = exponential * (0.5 + random());
  return Math.ceil(Math.max(jittered, retryAfterSeconds ?? 0));
}
