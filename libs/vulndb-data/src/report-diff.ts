import type { SqlRunner } from '@vulnscan/persistence';

/** What a webhook body says of a report. */
export interface ReportFacts {
  id: string;
  vulndbVersion: string | null;
  summary: { total: number; fixable: number; by_severity: Record<string, number> };
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
 * Read-only queries of the worker's reports for security-status's webhooks, in plain SQL on the
 * caller's runner (its inbox transaction: a second pooled connection per event could starve the
 * pool under a burst of events).
 */
export async function reportFacts(db: SqlRunner, tenantId: string, scanId: string): Promise<ReportFacts | null> {
  const [row] = (await db.query(
    `SELECT id, vulndb_version::text AS "vulndbVersion", summary FROM worker.reports WHERE tenant_id = $1 AND scan_id = $2`,
    [tenantId, scanId],
  )) as ReportFacts[];
  return row ?? null;
}

/**
 * Findings of `reportId` absent from `previousReportId` (every finding when null), compared like
 * the API's diff: by advisory, package type, name and path. At most `limit` items, and the total.
 */
export async function newFindings(
  db: SqlRunner,
  reportId: string,
  previousReportId: string | null,
  limit: number,
): Promise<{ items: NewFinding[]; total: number }> {
  const rows = (await db.query(
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
