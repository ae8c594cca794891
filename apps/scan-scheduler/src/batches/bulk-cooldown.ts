/**
 * Seconds a tenant must still wait before its next bulk scan, given how long ago its previous one
 * was created (none: no wait); 0 when it may go now. Rounded up and at least 1 while waiting, so
 * the Retry-After a client obeys is never too early.
 */
export function bulkCooldownWait(previousAgeSeconds: number | undefined, cooldownSeconds: number): number {
  if (previousAgeSeconds === undefined || previousAgeSeconds >= cooldownSeconds) return 0;
  return Math.max(1, Math.ceil(cooldownSeconds - previousAgeSeconds));
}
