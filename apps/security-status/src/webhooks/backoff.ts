export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

/**
 * Delay after failed attempt `attempt` (1-based): base·2^(attempt-1) capped at `maxMs`, then a random
 * point in its upper half, so deliveries that failed together (a receiver down) come back spread out.
 */
export function retryDelayMs(attempt: number, { baseMs, maxMs }: BackoffOptions, random: () => number = Math.random): number {
  const exponential = Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(0, attempt - 1), 40));
  return Math.max(1, Math.round(exponential / 2 + (random() * exponential) / 2));
}

/** The receiver's Retry-After (429, 503) wins over a shorter backoff, never beyond `maxMs`. */
export function nextDelayMs(
  attempt: number,
  options: BackoffOptions,
  retryAfterSeconds?: number,
  random: () => number = Math.random,
): number {
  const backoff = retryDelayMs(attempt, options, random);
  if (retryAfterSeconds === undefined) return backoff;
  return Math.max(backoff, Math.min(options.maxMs, retryAfterSeconds * 1000));
}
