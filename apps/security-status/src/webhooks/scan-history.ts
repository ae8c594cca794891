import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { previousCompletedScanId } from '@vulnscan/scan-data';
import { NewFinding, newFindings, ReportFacts, reportFacts } from '@vulnscan/vulndb-data';

export type { NewFinding, ReportFacts };

export interface CompletedScanFacts {
  report: ReportFacts | null;
  /** The latest completed scan of the same image created before this one, and its report. */
  previous: { scanId: string; report: ReportFacts | null } | null;
}

/**
 * What a webhook about a completed scan says of its history (the scan itself is described by its
 * ScanCompleted). Read through the scheduler's and the worker's read-only readers (plain SQL), in
 * the caller's transaction (the ScanCompleted inbox transaction: a second pooled connection per
 * event could starve the pool under a burst of events).
 */
@Injectable()
export class ScanHistory {
  async completedScan(manager: EntityManager, tenantId: string, scanId: string): Promise<CompletedScanFacts> {
    const report = await reportFacts(manager, tenantId, scanId);
    const previousId = await previousCompletedScanId(manager, tenantId, scanId);
    return {
      report,
      previous: previousId ? { scanId: previousId, report: await reportFacts(manager, tenantId, previousId) } : null,
    };
  }

  newFindings(
    manager: EntityManager,
    reportId: string,
    previousReportId: string | null,
    limit: number,
  ): Promise<{ items: NewFinding[]; total: number }> {
    return newFindings(manager, reportId, previousReportId, limit);
  }
}
