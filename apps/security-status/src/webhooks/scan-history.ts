import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ScanEntity, ScanStatus } from '@vulnscan/scan-data';

export interface ReportFacts {
  id: string;
  vulndbVersion: string | null;
  summary: { total: number; fixable: number; by_severity: Record<string, number> };
}

export interface CompletedScanFacts {
  /** The scheduler's scan row; null if it is gone (then no history can be compared). */
  scan: Pick<ScanEntity, 'id' | 'imageId' | 'image' | 'trigger' | 'completedAt'> | null;
  report: ReportFacts | null;
  /** The latest completed scan of the same image created before this one, and its report. */
  previous: { scanId: string; report: ReportFacts | null } | null;
}

/** One vulnerability of one package instance, as a webhook body lists it. */
export interface NewFinding {
  id: string;
  package: { type: string; name: string; version: string; path: string };
  ecosystem: string;
  installed_version: string;
  fixed_version: string | null;
  severity: string;
}

/**
 * Read-only queries of the scheduler's scans and the worker's reports, run in the caller's
 * transaction (the ScanCompleted inbox transaction): a second pooled connection per event could
 * starve the pool under a burst of events. Nothing here writes another service's tables.
 */
@Injectable()
export class ScanHistory {
  async completedScan(manager: EntityManager, tenantId: string, scanId: string): Promise<CompletedScanFacts> {
    const scans = manager.getRepository(ScanEntity);
    const scan = await scans.findOne({
      where: { tenantId, id: scanId },
      select: { id: true, imageId: true, image: true, trigger: true, completedAt: true },
    });
    const report = await this.report(manager, tenantId, scanId);
    if (!scan) return { scan: null, report, previous: null };
    const previous = await scans
      .createQueryBuilder('p')
      .select('p.id', 'id')
      .innerJoin(ScanEntity, 'c', 'c.id = :scanId AND c.tenant_id = p.tenant_id AND c.image_id = p.image_id', { scanId })
      .where('p.tenant_id = :tenantId AND p.status = :completed', { tenantId, completed: ScanStatus.Completed })
      // (created_at, id) of the current scan itself: no precision lost through a JS Date.
      .andWhere('(p.created_at, p.id) < (c.created_at, c.id)')
      .orderBy('p.created_at', 'DESC')
      .addOrderBy('p.id', 'DESC')
      .limit(1)
      .getRawOne<{ id: string }>();
    return {
      scan,
      report,
      previous: previous ? { scanId: previous.id, report: await this.report(manager, tenantId, previous.id) } : null,
    };
  }

  /**
   * Findings of `reportId` absent from `previousReportId` (every finding when null), compared like
   * the API's diff: by advisory, package type, name and path. At most `limit` items, and the total.
   */
  async newFindings(
    manager: EntityManager,
    reportId: string,
    previousReportId: string | null,
    limit: number,
  ): Promise<{ items: NewFinding[]; total: number }> {
    const rows = (await manager.query(
      `SELECT f.advisory_id, f.package_type, f.package_name, f.package_version, f.path, f.ecosystem, f.installed_version,
              f.fixed_version, f.severity, count(*) OVER () AS total
       FROM worker.findings f
       WHERE f.report_id = $1
         AND NOT EXISTS (
           SELECT 1 FROM worker.findings p
           WHERE p.report_id = $2::uuid AND p.advisory_id = f.advisory_id AND p.package_type = f.package_type
             AND p.package_name = f.package_name AND p.path = f.path)
       ORDER BY f.ordinal
       LIMIT $3`,
      [reportId, previousReportId, limit],
    )) as {
      advisory_id: string;
      package_type: string;
      package_name: string;
      package_version: string;
      path: string;
      ecosystem: string;
      installed_version: string;
      fixed_version: string | null;
      severity: string;
      total: string;
    }[];
    return {
      total: rows.length ? Number(rows[0].total) : 0,
      items: rows.map((row) => ({
        id: row.advisory_id,
        package: { type: row.package_type, name: row.package_name, version: row.package_version, path: row.path },
        ecosystem: row.ecosystem,
        installed_version: row.installed_version,
        fixed_version: row.fixed_version,
        severity: row.severity,
      })),
    };
  }

  private async report(manager: EntityManager, tenantId: string, scanId: string): Promise<ReportFacts | null> {
    const [row] = (await manager.query(
      `SELECT id, vulndb_version::text AS "vulndbVersion", summary FROM worker.reports WHERE tenant_id = $1 AND scan_id = $2`,
      [tenantId, scanId],
    )) as ReportFacts[];
    return row ?? null;
  }
}
