/** A uniform draw in [0, 1), as `Math.random` gives; injected by tests to pin the jitter. */
export type RandomSource = () => number;

export interface BackoffPolicy {
  /** Ceiling of the wait after the first failed attempt; it doubles with each further attempt. */
  baseMs: number;
  /** Highest ceiling, whatever the attempt number. */
  capMs: number;
  /**
   * Longest `Retry-After` honoured as a floor. Absent: the floor stands however long it is (the
   * caller has its own deadline that decides whether to wait that long).
   */
  floorCapMs?: number;
}

/** Doublings past this would overflow to Infinity long before; any real cap is reached far earlier. */
const MAX_EXPONENT = 40;

/**
 * The wait after failed attempt `attempt` (1-based), in whole milliseconds: a uniformly random point
 * in [0, min(cap, base·2^(attempt-1))] ("full jitter", so callers that failed together come back
 * spread out), never below 1 ms, and never shorter than `floorMs` (a peer's `Retry-After`), that
 * floor bounded by `policy.floorCapMs` when the policy has one.
 */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy, floorMs?: number, random: RandomSource = Math.random): number {
  const exponent = Math.min(MAX_EXPONENT, Math.max(0, Math.floor(attempt) - 1));
  const ceiling = Math.min(policy.capMs, Math.max(0, policy.baseMs) * 2 ** exponent);
  const jittered = Math.max(1, Math.round(random() * ceiling));
  if (floorMs === undefined || !Number.isFinite(floorMs) || floorMs <= 0) return jittered;
  const floor = Math.ceil(policy.floorCapMs === undefined ? floorMs : Math.min(policy.floorCapMs, floorMs));
  return Math.max(jittered, floor);
}
