/**
 * SQL condition: an active scan (alias `alias`) that still blocks a new scan of its image. Its
 * deadline runs from its first dispatch, so a scan waiting in the backlog blocks until it ran
 * out of time after being handed to a worker.
 */
export const blocksNewScan = (alias: string): string => `(${alias}.attempt = 0 OR ${alias}.timeout_at > now())`;

/** The advisory lock key of a tenant's scan intake: single scans take it shared, batches exclusively. */
export const tenantIntakeLock = (tenantId: string): string => `scan-intake-tenant|${tenantId}`;
