import { EntityManager } from 'typeorm';

/** Where a retention run has got to in `scans_finished_created` order: (created_at, id). */
export interface PurgeCursor {
  createdAt: Date;
  id: string;
}

/** Before every scan: no scan was created before 1970. */
export const PURGE_START: PurgeCursor = { createdAt: new Date(0), id: '00000000-0000-0000-0000-000000000000' };

export interface PurgedScan {
  id: string;
  tenantId: string;
}

export interface ScanPurgeBatch {
  /** Finished scans older than the cutoff looked at (deleted or kept); fewer than the limit ends a run. */
  scanned: number;
  /** The last scan looked at: the next batch starts after it. */
  cursor: PurgeCursor;
  scans: PurgedScan[];
  attempts: number;
}

interface ScannedRow {
  id: string;
  tenantId: string;
  createdAt: Date;
  kept: boolean;
}

/**
 * One retention batch in the caller's transaction: locks up to `limit` finished scans created
 * before `cutoff` (after `after`, oldest first), deletes those that are not among the latest two
 * completed scans of their image, and their attempts.
 *
 * The cursor matters: the latest two completed scans of an image nobody scans any more stay
 * behind the cutoff for good, so starting every batch from the oldest finished scan would walk
 * past all of them again (and past the index entries of rows the previous batches deleted,
 * which only VACUUM removes). Scans skipped because another transaction holds them are left to
 * the next run.
 */
export async function purgeScanBatch(manager: EntityManager, cutoff: Date, limit: number, after: PurgeCursor): Promise<ScanPurgeBatch> {
  // `created_at >= $3` gives the index scan its start; the row comparison breaks ties on id.
  const scanned = (await manager.query(
    `SELECT s.id, s.tenant_id AS "tenantId", s.created_at AS "createdAt",
            (s.status = 'completed' AND s.id IN (
              SELECT latest.id FROM scheduler.scans latest
              WHERE latest.image_id = s.image_id AND latest.status = 'completed'
              ORDER BY latest.created_at DESC, latest.id DESC
              LIMIT 2)) AS kept
     FROM scheduler.scans s
     WHERE s.status IN ('completed', 'failed', 'canceled')
       AND s.created_at < $1
       AND s.created_at >= $3 AND (s.created_at, s.id) > ($3, $4::uuid)
     ORDER BY s.created_at, s.id
     LIMIT $2
     FOR UPDATE OF s SKIP LOCKED`,
    [cutoff, limit, after.createdAt, after.id],
  )) as ScannedRow[];
  const last = scanned[scanned.length - 1];
  const scans = scanned.filter((row) => !row.kept).map(({ id, tenantId }) => ({ id, tenantId }));
  let attempts = 0;
  if (scans.length > 0) {
    const ids = scans.map((scan) => scan.id);
    // Deleted explicitly (the foreign key would cascade) so the run can count them.
    [, attempts] = (await manager.query(`DELETE FROM scheduler.scan_attempts WHERE scan_id = ANY($1::uuid[])`, [ids])) as [unknown, number];
    await manager.query(`DELETE FROM scheduler.scans WHERE id = ANY($1::uuid[])`, [ids]);
  }
  return { scanned: scanned.length, cursor: last ? { createdAt: last.createdAt, id: last.id } : after, scans, attempts };
}

/**
 * Deletes up to `limit` scan batches (bulk requests, schedule runs) created before `cutoff` that
 * no scan belongs to any more, except a schedule's last batch, which the schedule still names.
 */
export async function purgeEmptyScanBatches(manager: EntityManager, cutoff: Date, limit: number): Promise<number> {
  const [, deleted] = (await manager.query(
    `DELETE FROM scheduler.scan_batches WHERE id IN (
       SELECT b.id FROM scheduler.scan_batches b
       WHERE b.created_at < $1
         AND NOT EXISTS (SELECT 1 FROM scheduler.scans s WHERE s.batch_id = b.id)
         AND NOT EXISTS (SELECT 1 FROM scheduler.schedules sc WHERE sc.last_batch_id = b.id)
       LIMIT $2
       FOR UPDATE SKIP LOCKED)`,
    [cutoff, limit],
  )) as [unknown, number];
  return deleted;
}

/** The scans of one batch grouped by tenant: one ScansPurged event each. */
export function byTenant(scans: PurgedScan[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const scan of scans) {
    const ids = out.get(scan.tenantId);
    if (ids) ids.push(scan.id);
    else out.set(scan.tenantId, [scan.id]);
  }
  return out;
}
