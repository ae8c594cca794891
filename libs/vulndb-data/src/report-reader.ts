import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

export interface ReportRow {
  id: string;
  scanId: string;
  manifestDigest: string;
  vulndbVersion: string | null;
  os: Record<string, unknown> | null;
  summary: { total: number; fixable: number; by_severity: Record<string, number> };
  coverage: { ecosystem: string; packages: number; coverage: 'full' | 'none' }[];
  createdAt: Date;
}

export interface FindingRow {
  advisoryId: string;
  aliases: string[];
  feed: string;
  ecosystem: string;
  packageType: string;
  packageName: string;
  packageVersion: string;
  purl: string | null;
  path: string;
  layerDigest: string | null;
  installedVersion: string;
  fixedVersion: string | null;
  severity: string;
  severitySource: string;
  cvssScore: number | null;
  cvssVector: string | null;
  summary: string | null;
  refs: string[];
}

export interface FindingFilter {
  /** Only these severities. */
  severities?: string[];
  /** true: only findings with a fixed version; false: only those without. */
  fixable?: boolean;
}

/** Read-only access to the worker's vulnerability reports, always within one tenant. */
@Injectable()
export class ReportReader {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async forScan(tenantId: string, scanId: string): Promise<ReportRow | undefined> {
    const [row] = (await this.dataSource.query(
      `SELECT id, scan_id AS "scanId", manifest_digest AS "manifestDigest", vulndb_version::text AS "vulndbVersion", os, summary, coverage,
              created_at AS "createdAt"
       FROM worker.reports WHERE tenant_id = $1 AND scan_id = $2`,
      [tenantId, scanId],
    )) as ReportRow[];
    return row;
  }

  /** A report's findings, most severe first (the order they were stored in). */
  async findings(reportId: string, filter: FindingFilter = {}): Promise<FindingRow[]> {
    const conditions = ['report_id = $1'];
    const params: unknown[] = [reportId];
    if (filter.severities?.length) {
      params.push(filter.severities);
      conditions.push(`severity = ANY($${params.length}::text[])`);
    }
    if (filter.fixable !== undefined) conditions.push(filter.fixable ? 'fixed_version IS NOT NULL' : 'fixed_version IS NULL');
    return (await this.dataSource.query(
      `SELECT advisory_id AS "advisoryId", aliases, feed, ecosystem, package_type AS "packageType", package_name AS "packageName",
              package_version AS "packageVersion", purl, path, layer_digest AS "layerDigest", installed_version AS "installedVersion",
              fixed_version AS "fixedVersion", severity, severity_source AS "severitySource", cvss_score AS "cvssScore",
              cvss_vector AS "cvssVector", summary, refs
       FROM worker.findings WHERE ${conditions.join(' AND ')} ORDER BY ordinal`,
      params,
    )) as FindingRow[];
  }
}
