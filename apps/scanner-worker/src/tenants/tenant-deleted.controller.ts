import { Controller, Logger } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { EnvelopeOf, Events } from '@vulnscan/contracts';
import { Inbox, TenantTombstones } from '@vulnscan/messaging';
import { deleteScanResults, SCANS_PER_TRANSACTION, ScanResultsDeleted } from '../retention/scan-results-purge';

const CONSUMER = 'tenant-deleted';

/** Up to SCANS_PER_TRANSACTION of the tenant's reports with their findings (the retention path's delete). */
async function deleteReportsChunk(manager: EntityManager, tenantId: string): Promise<ScanResultsDeleted> {
  const scanIds = (
    (await manager.query(`SELECT scan_id FROM worker.reports WHERE tenant_id = $1 LIMIT $2`, [tenantId, SCANS_PER_TRANSACTION])) as {
      scan_id: string;
    }[]
  ).map((row) => row.scan_id);
  return scanIds.length === 0 ? { reports: 0, findings: 0 } : deleteScanResults(manager, tenantId, scanIds);
}

/**
 * TenantDeleted. First, in one transaction: the tombstone (from then on a job's result for the
 * tenant is not stored) and its registry credentials, so a re-created id never inherits them.
 * Then its reports and findings, a chunk per transaction as retention deletes them (a report
 * holds thousands of findings), the last with the inbox row. SBOMs are per manifest digest and
 * shared: kept, as retention keeps them.
 */
@Controller()
export class TenantDeletedController {
  private readonly logger = new Logger(TenantDeletedController.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly inbox: Inbox,
    private readonly tombstones: TenantTombstones,
  ) {}

  @EventPattern(Events.TenantDeleted)
  async tenantDeleted(@Payload() message: EnvelopeOf<typeof Events.TenantDeleted>): Promise<void> {
    const { tenantId, incarnation } = message.payload;
    if (await this.inbox.seen(CONSUMER, message.id)) return;
    const started = Date.now();
    const credentials = await this.dataSource.transaction(async (manager) => {
      await this.tombstones.record(manager, message.payload);
      return ((await manager.query(`DELETE FROM worker.registry_credentials WHERE tenant_id = $1`, [tenantId])) as [unknown, number])[1];
    });
    const deleted: ScanResultsDeleted = { reports: 0, findings: 0 };
    for (;;) {
      const chunk = await this.dataSource.transaction((manager) => deleteReportsChunk(manager, tenantId));
      deleted.reports += chunk.reports;
      deleted.findings += chunk.findings;
      if (chunk.reports < SCANS_PER_TRANSACTION) break;
    }
    // Nothing is left by now; the inbox row says the deletion is done.
    await this.inbox.runOnce(CONSUMER, message, (manager) => deleteReportsChunk(manager, tenantId));
    this.logger.log({ tenantId, incarnation, credentials, ...deleted, ms: Date.now() - started }, 'deleted tenant removed');
  }
}
