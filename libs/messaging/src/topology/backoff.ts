/**
 * Delay before retry level `level` (1-based): base·2^(level-1), capped at `maxMs`, then spread by a
 * random factor in [0.5, 1.5) so messages that failed together do not come back together.
 */
export function retryDelayMs(level: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const exponential = Math.min(maxMs, baseMs * 2 ** Math.max(0, level - 1));
  return Math.max(1, Math.round(exponential * (0.5 + random())));
}
