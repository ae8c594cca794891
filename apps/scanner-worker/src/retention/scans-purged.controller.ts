import { Controller, Logger } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { EnvelopeOf, Events } from '@vulnscan/contracts';
import { Inbox, NonRetryableError } from '@vulnscan/messaging';
import { counter } from '@vulnscan/observability';
import { chunk, deleteScanResults, SCANS_PER_TRANSACTION, ScanResultsDeleted } from './scan-results-purge';

const CONSUMER = 'scans-purged';

const deletedRows = () => counter('vulnscan_retention_deleted_total', 'Rows deleted by retention, by table', ['table']);

/**
 * ScansPurged (the scheduler's retention): deletes the reports and findings of scans that no
 * longer exist, a transaction per SCANS_PER_TRANSACTION scans so no single one holds an event's
 * worth of findings. The inbox row commits with the last of them; a redelivery after a crash in
 * between deletes what is left (deleting is idempotent) and then records the message.
 */
@Controller()
export class ScansPurgedController {
  private readonly logger = new Logger(ScansPurgedController.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly inbox: Inbox,
  ) {}

  @EventPattern(Events.ScansPurged)
  async purged(@Payload() message: EnvelopeOf<typeof Events.ScansPurged>): Promise<void> {
    const tenantId = message.tenantId;
    if (!tenantId) throw new NonRetryableError('scans.purged.v1 without a tenantId: no tenant whose results to delete');
    if (await this.inbox.seen(CONSUMER, message.id)) return;
    const started = Date.now();
    const total: ScanResultsDeleted = { reports: 0, findings: 0 };
    const add = (deleted: ScanResultsDeleted | undefined) => {
      if (!deleted) return;
      total.reports += deleted.reports;
      total.findings += deleted.findings;
      deletedRows().inc({ table: 'reports' }, deleted.reports);
      deletedRows().inc({ table: 'findings' }, deleted.findings);
    };
    const chunks = chunk(message.payload.scanIds, SCANS_PER_TRANSACTION);
    for (const ids of chunks.slice(0, -1)) {
      add(await this.dataSource.transaction((manager) => deleteScanResults(manager, tenantId, ids)));
    }
    const last = await this.inbox.runOnce(CONSUMER, message, (manager) => deleteScanResults(manager, tenantId, chunks[chunks.length - 1]!));
    add(last.result);
    this.logger.log(
      { tenantId, scans: message.payload.scanIds.length, reports: total.reports, findings: total.findings, ms: Date.now() - started },
      'results of purged scans deleted',
    );
  }
}
