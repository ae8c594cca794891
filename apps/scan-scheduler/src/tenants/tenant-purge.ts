import { EntityManager } from 'typeorm';

export interface TenantRowsDeleted {
  schedules: number;
  scans: number;
  attempts: number;
  batches: number;
  images: number;
}

const count = async (manager: EntityManager, sql: string, tenantId: string): Promise<number> =>
  ((await manager.query(sql, [tenantId])) as [unknown, number])[1];

/**
 * Deletes every row of a deleted tenant in the caller's transaction: schedules first (a schedule
 * names its last batch), then scans with their attempts, batches and images. Its queued and
 * running scans must already be canceled (ScanLifecycle.cancelTenant), so workers stop them.
 * The worker deletes the tenant's reports itself on TenantDeleted, so no ScansPurged is needed.
 */
export async function deleteTenantRows(manager: EntityManager, tenantId: string): Promise<TenantRowsDeleted> {
  const schedules = await count(manager, `DELETE FROM scheduler.schedules WHERE tenant_id = $1`, tenantId);
  // Explicitly (the foreign key would cascade), so the log can say how many.
  const attempts = await count(
    manager,
    `DELETE FROM scheduler.scan_attempts WHERE scan_id IN (SELECT id FROM scheduler.scans WHERE tenant_id = $1)`,
    tenantId,
  );
  const scans = await count(manager, `DELETE FROM scheduler.scans WHERE tenant_id = $1`, tenantId);
  const batches = await count(manager, `DELETE FROM scheduler.scan_batches WHERE tenant_id = $1`, tenantId);
  const images = await count(manager, `DELETE FROM scheduler.images WHERE tenant_id = $1`, tenantId);
  return { schedules, scans, attempts, batches, images };
}
