import { EntityManager } from 'typeorm';

/** Scans one transaction deletes (with their attempts): a tenant may hold hundreds of thousands. */
export const TENANT_SCANS_PER_TRANSACTION = 1000;

const count = async (manager: EntityManager, sql: string, params: unknown[]): Promise<number> =>
  ((await manager.query(sql, params)) as [unknown, number])[1];

/**
 * Stops a deleted tenant in the caller's transaction: its schedules go (no run starts again) and
 * `cancel` cancels its queued and running scans through the normal cancel path (workers stop).
 * What is left (scans, batches, images) is deleted in chunks afterwards.
 */
export async function stopTenant(manager: EntityManager, tenantId: string, cancel: () => Promise<number>) {
  const schedules = await count(manager, `DELETE FROM scheduler.schedules WHERE tenant_id = $1`, [tenantId]);
  return { schedules, canceled: await cancel() };
}

/** Deletes up to TENANT_SCANS_PER_TRANSACTION of the tenant's scans with their attempts; fewer than that means none is left. */
export async function deleteTenantScans(manager: EntityManager, tenantId: string): Promise<{ scans: number; attempts: number }> {
  const ids = (
    (await manager.query(`SELECT id FROM scheduler.scans WHERE tenant_id = $1 LIMIT $2 FOR UPDATE`, [
      tenantId,
      TENANT_SCANS_PER_TRANSACTION,
    ])) as { id: string }[]
  ).map((row) => row.id);
  if (ids.length === 0) return { scans: 0, attempts: 0 };
  // Explicitly (the foreign key would cascade), so the log can say how many.
  const attempts = await count(manager, `DELETE FROM scheduler.scan_attempts WHERE scan_id = ANY($1::uuid[])`, [ids]);
  const scans = await count(manager, `DELETE FROM scheduler.scans WHERE id = ANY($1::uuid[])`, [ids]);
  return { scans, attempts };
}

/** The tenant's batches and images, once its scans are gone (scans name both). */
export async function deleteTenantBatchesAndImages(manager: EntityManager, tenantId: string): Promise<{ batches: number; images: number }> {
  const batches = await count(manager, `DELETE FROM scheduler.scan_batches WHERE tenant_id = $1`, [tenantId]);
  const images = await count(manager, `DELETE FROM scheduler.images WHERE tenant_id = $1`, [tenantId]);
  return { batches, images };
}
