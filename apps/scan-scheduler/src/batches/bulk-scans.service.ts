import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { CreateBulkScanCommand, ScanTrigger, SchedulerErrorCode } from '@vulnscan/contracts';
import { CommandRejectedError, TenantMessage, TenantTombstones } from '@vulnscan/messaging';
import { SERVICE_ENV } from '@vulnscan/service-runtime';
import { BatchSource } from '@vulnscan/scan-data';
import { ScanLifecycle } from '../attempts/scan-lifecycle.service';
import { Dispatcher } from '../dispatch/dispatcher.service';
import { SchedulerEnv } from '../env';
import { bulkCooldownWait } from './bulk-cooldown';
import { BatchOutcome } from '../admission/admission-requests';
import { ScanAdmission } from '../admission/scan-admission.service';

/** Postgres' SQLSTATE for a regular expression it cannot compile. */
const INVALID_REGULAR_EXPRESSION = '2201B';

/** Bulk scans (with a per-tenant cooldown) and canceling a batch. */
@Injectable()
export class BulkScans {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(SERVICE_ENV) private readonly env: SchedulerEnv,
    private readonly admission: ScanAdmission,
    private readonly dispatcher: Dispatcher,
    private readonly lifecycle: ScanLifecycle,
    private readonly tombstones: TenantTombstones,
  ) {}

  /** `sent` is the command's envelope: one sent to a tenant since deleted is refused, leaving no batch behind. */
  async create(command: CreateBulkScanCommand, sent: TenantMessage): Promise<BatchOutcome> {
    const outcome = await this.dataSource.transaction(async (manager) => {
      await this.tombstones.refuseForDeletedIncarnation(manager, sent);
      await this.checkCooldown(manager, command.tenantId);
      const references = command.images ?? (await this.knownImages(manager, command));
      if (references.length === 0)
        throw new CommandRejectedError(SchedulerErrorCode.NoImages, 'the filter selects no image this tenant has scanned before');
      return this.admission.admitBatch(manager, {
        tenantId: command.tenantId,
        source: BatchSource.Bulk,
        trigger: ScanTrigger.Bulk,
        references,
        requestedBy: command.requestedBy,
        forceRescan: command.forceRescan,
        invalid: 'reject',
      });
    });
    if (outcome.count > 0) this.dispatcher.wake();
    return outcome;
  }

  /**
   * Cancels every queued or running scan of the batch: queued ones never start, running ones
   * stop at their next layer boundary (ScanCanceled reaches the worker). Canceling twice is a no-op.
   */
  async cancel(tenantId: string, batchId: string): Promise<{ canceled: number }> {
    const canceled = await this.dataSource.transaction(async (manager) => {
      const [batch] = (await manager.query(`SELECT id FROM scheduler.scan_batches WHERE id = $1 AND tenant_id = $2 FOR UPDATE`, [
        batchId,
        tenantId,
      ])) as {
        id: string;
      }[];
      if (!batch) throw new CommandRejectedError(SchedulerErrorCode.NotFound, `batch ${batchId} not found`);
      await manager.query(`UPDATE scheduler.scan_batches SET canceled_at = coalesce(canceled_at, now()) WHERE id = $1`, [batchId]);
      return this.lifecycle.cancelBatch(manager, tenantId, batchId);
    });
    if (canceled > 0) this.dispatcher.wake();
    return { canceled };
  }

  private async checkCooldown(manager: EntityManager, tenantId: string): Promise<void> {
    await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`bulk-scan|${tenantId}`]);
    const [last] = (await manager.query(
      `SELECT extract(epoch FROM now() - created_at)::float AS age FROM scheduler.scan_batches
       WHERE tenant_id = $1 AND source = 'bulk' ORDER BY created_at DESC LIMIT 1`,
      [tenantId],
    )) as { age: number }[];
    const wait = bulkCooldownWait(last?.age, this.env.BULK_COOLDOWN);
    if (wait > 0) {
      throw new CommandRejectedError(
        SchedulerErrorCode.RateLimited,
        `one bulk scan per ${this.env.BULK_COOLDOWN} s per tenant; try again in ${wait} s`,
        { retryAfterSeconds: wait },
      );
    }
  }

  /** The tenant's known images (scanned before) that the filter selects, oldest first. */
  private async knownImages(manager: EntityManager, command: CreateBulkScanCommand): Promise<string[]> {
    const filter = command.filter ?? {};
    try {
      const rows = (await manager.query(
        `SELECT reference FROM scheduler.images
         WHERE tenant_id = $1 AND ($2::text IS NULL OR registry = $2) AND ($3::text IS NULL OR repository = $3)
           AND ($4::text IS NULL OR reference ~ $4)
         ORDER BY created_at LIMIT $5`,
        [command.tenantId, filter.registry ?? null, filter.repository ?? null, filter.pattern ?? null, this.env.BATCH_MAX_IMAGES + 1],
      )) as { reference: string }[];
      return rows.map((row) => row.reference);
    } catch (error) {
      if (error instanceof QueryFailedError && (error.driverError as { code?: string }).code === INVALID_REGULAR_EXPRESSION) {
        throw new CommandRejectedError(SchedulerErrorCode.InvalidFilter, `filter.pattern: ${(error.driverError as Error).message}`);
      }
      throw error;
    }
  }
}
