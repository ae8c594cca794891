import { Controller, Logger } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { EntityManager } from 'typeorm';
import { EnvelopeOf, Events } from '@vulnscan/contracts';
import { Inbox, TenantTombstones } from '@vulnscan/messaging';

const count = async (manager: EntityManager, sql: string, tenantId: string): Promise<number> =>
  ((await manager.query(sql, [tenantId])) as [unknown, number])[1];

/**
 * TenantDeleted: the tenant's webhooks stop (pending deliveries go with them), and its manifest
 * statuses (the cached-scan triggers: no retry requests a scan for them any more), early scan
 * states and cache scan-rate row are deleted, with the tombstone that drops its late messages, in
 * one transaction.
 */
@Controller()
export class TenantDeletedController {
  private readonly logger = new Logger(TenantDeletedController.name);

  constructor(
    private readonly inbox: Inbox,
    private readonly tombstones: TenantTombstones,
  ) {}

  @EventPattern(Events.TenantDeleted)
  async tenantDeleted(@Payload() message: EnvelopeOf<typeof Events.TenantDeleted>): Promise<void> {
    const { tenantId, incarnation } = message.payload;
    const outcome = await this.inbox.runOnce('tenant-deleted', message, async (manager) => {
      await this.tombstones.record(manager, message.payload);
      const notifications = await count(manager, `DELETE FROM status.notifications WHERE tenant_id = $1`, tenantId);
      const webhooks = await count(manager, `DELETE FROM status.webhooks WHERE tenant_id = $1`, tenantId);
      const statuses = await count(manager, `DELETE FROM status.manifest_security_status WHERE tenant_id = $1`, tenantId);
      const earlyScanStates = await count(manager, `DELETE FROM status.early_scan_states WHERE tenant_id = $1`, tenantId);
      const scanRates = await count(manager, `DELETE FROM status.cache_scan_rates WHERE tenant_id = $1`, tenantId);
      return { webhooks, notifications, statuses, earlyScanStates, scanRates };
    });
    if (outcome.result) this.logger.log({ tenantId, incarnation, ...outcome.result }, 'deleted tenant removed');
  }
}
