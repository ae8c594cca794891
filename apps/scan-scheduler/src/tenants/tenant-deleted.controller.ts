import { Controller, Logger } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { EnvelopeOf, Events } from '@vulnscan/contracts';
import { Inbox, TenantTombstones } from '@vulnscan/messaging';
import { ScanLifecycle } from '../attempts/scan-lifecycle.service';
import { deleteTenantRows } from './tenant-purge';

/**
 * TenantDeleted: the tenant's schedules stop, its queued and running scans are canceled through
 * the normal cancel path (ScanCanceled stops workers), and its scans, attempts, batches and
 * images are deleted, with the tombstone that drops its late messages, in one transaction.
 */
@Controller()
export class TenantDeletedController {
  private readonly logger = new Logger(TenantDeletedController.name);

  constructor(
    private readonly inbox: Inbox,
    private readonly tombstones: TenantTombstones,
    private readonly lifecycle: ScanLifecycle,
  ) {}

  @EventPattern(Events.TenantDeleted)
  async tenantDeleted(@Payload() message: EnvelopeOf<typeof Events.TenantDeleted>): Promise<void> {
    const { tenantId, incarnation } = message.payload;
    const outcome = await this.inbox.runOnce('tenant-deleted', message, async (manager) => {
      await this.tombstones.record(manager, message.payload);
      const canceled = await this.lifecycle.cancelTenant(manager, tenantId);
      return { canceled, ...(await deleteTenantRows(manager, tenantId)) };
    });
    if (outcome.result) this.logger.log({ tenantId, incarnation, ...outcome.result }, 'deleted tenant removed');
  }
}
