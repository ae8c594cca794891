import { EntityManager } from 'typeorm';

/**
 * Scans whose reports and findings one transaction deletes. A report holds up to a few thousand
 * findings, so a transaction stays in the tens of thousands of rows (see bench/retention.bench.ts).
 */
export const SCANS_PER_TRANSACTION = 100;

export interface ScanResultsDeleted {
  reports: number;
  findings: number;
}

/**
 * Deletes the reports of these scans of one tenant and their findings, in the caller's
 * transaction. Scans without a report (failed, canceled, or already deleted) cost nothing, so a
 * repeated call is harmless. SBOMs are per manifest digest and shared by every scan of it: kept.
 */
export async function deleteScanResults(manager: EntityManager, tenantId: string, scanIds: string[]): Promise<ScanResultsDeleted> {
  const reportIds = (
    (await manager.query(`SELECT id FROM worker.reports WHERE tenant_id = $1 AND scan_id = ANY($2::uuid[])`, [tenantId, scanIds])) as {
      id: string;
    }[]
  ).map((row) => row.id);
  if (reportIds.length === 0) return { reports: 0, findings: 0 };
  // Findings first, by report id: one index scan, where the foreign key's cascade deletes row by
  // row. Not `report_id IN (SELECT ...)`: costing that join makes the planner walk the index
  // entries of every finding deleted since the last VACUUM (100+ ms per statement at 10 million).
  const [, findings] = (await manager.query(`DELETE FROM worker.findings WHERE report_id = ANY($1::uuid[])`, [reportIds])) as [
    unknown,
    number,
  ];
  const [, reports] = (await manager.query(`DELETE FROM worker.reports WHERE id = ANY($1::uuid[])`, [reportIds])) as [unknown, number];
  return { reports, findings };
}

export function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += size) out.push(items.slice(start, start + size));
  return out;
}
