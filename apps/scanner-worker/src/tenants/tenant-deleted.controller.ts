import { Controller, Logger } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { EntityManager } from 'typeorm';
import { EnvelopeOf, Events } from '@vulnscan/contracts';
import { Inbox, TenantTombstones } from '@vulnscan/messaging';

const count = async (manager: EntityManager, sql: string, tenantId: string): Promise<number> =>
  ((await manager.query(sql, [tenantId])) as [unknown, number])[1];

/**
 * TenantDeleted: the tenant's registry credentials (so a re-created id never inherits them) and
 * its reports and findings go, with the tombstone that drops its late messages (a job's result
 * arriving after this commits is not stored), in one transaction. SBOMs are per manifest digest
 * and shared: kept, as retention keeps them.
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
      const credentials = await count(manager, `DELETE FROM worker.registry_credentials WHERE tenant_id = $1`, tenantId);
      // Findings by report id first: one index scan, where the foreign key's cascade goes row by row.
      const findings = await count(
        manager,
        `DELETE FROM worker.findings WHERE report_id IN (SELECT id FROM worker.reports WHERE tenant_id = $1)`,
        tenantId,
      );
      const reports = await count(manager, `DELETE FROM worker.reports WHERE tenant_id = $1`, tenantId);
      return { credentials, reports, findings };
    });
    if (outcome.result) this.logger.log({ tenantId, incarnation, ...outcome.result }, 'deleted tenant removed');
  }
}
