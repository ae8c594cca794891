import { EntityManager } from 'typeorm';
import { blocksNewScan, tenantIntakeLock } from '@vulnscan/scheduler-entities';

/**
 * The advisory lock key of one image's intake in a tenant. Single scans take it (exclusively)
 * under the tenant's intake lock taken shared; batches and re-matches take the tenant lock
 * exclusively instead, which excludes every single intake of that tenant at once.
 */
export const imageIntakeLock = (tenantId: string, image: string): string => `scan-intake|${tenantId}|${image}`;

/** The locks of one single scan: its tenant's intake lock shared, then its image's lock. */
export async function lockImageIntake(manager: EntityManager, tenantId: string, image: string): Promise<void> {
  await manager.query('SELECT pg_advisory_xact_lock_shared(hashtext($1)), pg_advisory_xact_lock(hashtext($2))', [
    tenantIntakeLock(tenantId),
    imageIntakeLock(tenantId, image),
  ]);
}

/**
 * The intake locks of whole tenants, exclusively. Taken in key order, so two re-matches over
 * overlapping tenants cannot deadlock (nothing else holds more than one tenant's lock).
 */
export async function lockTenantIntakes(manager: EntityManager, tenantIds: readonly string[]): Promise<void> {
  const keys = [...new Set(tenantIds)].map(tenantIntakeLock);
  if (keys.length === 0) return;
  await manager.query('SELECT pg_advisory_xact_lock(hashtext(k.key)) FROM (SELECT key FROM unnest($1::text[]) AS key ORDER BY key) k', [
    keys,
  ]);
}

/** The newest scan of an image that blocks a new one (the in-progress rule). */
export interface ScanInProgress {
  imageId: string;
  id: string;
  status: string;
  image: string;
}

/**
 * The in-progress rule, set-based: for each of these images, its newest queued or running scan
 * that still blocks a new one (see `blocksNewScan`). Call it under the intake locks above.
 */
export async function scansInProgress(manager: EntityManager, imageIds: readonly string[]): Promise<Map<string, ScanInProgress>> {
  if (imageIds.length === 0) return new Map();
  const rows = (await manager.query(
    `SELECT DISTINCT ON (s.image_id) s.image_id AS "imageId", s.id, s.status, s.image FROM scheduler.scans s
     WHERE s.image_id = ANY($1::uuid[]) AND s.status IN ('queued', 'running') AND ${blocksNewScan('s')}
     ORDER BY s.image_id, s.created_at DESC`,
    [imageIds],
  )) as ScanInProgress[];
  return new Map(rows.map((row) => [row.imageId, row]));
}

/**
 * Marks an in-progress scan as followed by a requester that joins it, and answers its status as of
 * now: the row lock orders this after any transition committing meanwhile, so a scan that started
 * answers `running`, and one that finished answers nothing (the caller then starts a new scan).
 */
export async function followScan(manager: EntityManager, scanId: string): Promise<string | undefined> {
  const [rows] = (await manager.query(
    `UPDATE scheduler.scans SET followed = true WHERE id = $1 AND status IN ('queued', 'running') RETURNING status`,
    [scanId],
  )) as [{ status: string }[], number];
  return rows[0]?.status;
}
