import { Controller, Logger } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { EnvelopeOf, Events } from '@vulnscan/contracts';
import { Inbox, TenantTombstones } from '@vulnscan/messaging';
import { ScanLifecycle } from '../attempts/scan-lifecycle.service';
import { deleteTenantBatchesAndImages, deleteTenantScans, stopTenant, TENANT_SCANS_PER_TRANSACTION } from './tenant-purge';

const CONSUMER = 'tenant-deleted';

/**
 * TenantDeleted. First, in one transaction: the tombstone (from then on the tenant's late
 * messages are dropped), its schedules, and its queued and running scans canceled through the
 * normal cancel path (ScanCanceled stops workers). Then its scans with their attempts, a chunk per
 * transaction, and last its batches and images with the inbox row. A redelivery after a crash in
 * between repeats what is idempotent and deletes what is left.
 */
@Controller()
export class TenantDeletedController {
  private readonly logger = new Logger(TenantDeletedController.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly inbox: Inbox,
    private readonly tombstones: TenantTombstones,
    private readonly lifecycle: ScanLifecycle,
  ) {}

  @EventPattern(Events.TenantDeleted)
  async tenantDeleted(@Payload() message: EnvelopeOf<typeof Events.TenantDeleted>): Promise<void> {
    const { tenantId, incarnation } = message.payload;
    if (await this.inbox.seen(CONSUMER, message.id)) return;
    const started = Date.now();
    const stopped = await this.dataSource.transaction(async (manager) => {
      await this.tombstones.record(manager, message.payload);
      return stopTenant(manager, tenantId, () => this.lifecycle.cancelTenant(manager, tenantId));
    });
    const deleted = { scans: 0, attempts: 0 };
    for (;;) {
      const chunk = await this.dataSource.transaction((manager) => deleteTenantScans(manager, tenantId));
      deleted.scans += chunk.scans;
      deleted.attempts += chunk.attempts;
      if (chunk.scans < TENANT_SCANS_PER_TRANSACTION) break;
    }
    const last = await this.inbox.runOnce(CONSUMER, message, (manager) => deleteTenantBatchesAndImages(manager, tenantId));
    this.logger.log({ tenantId, incarnation, ...stopped, ...deleted, ...last.result, ms: Date.now() - started }, 'deleted tenant removed');
  }
}
