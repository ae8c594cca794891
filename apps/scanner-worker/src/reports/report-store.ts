import { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { SEVERITIES } from '@vulnscan/vulndb';
import type { ComputedReport } from './report-builder.service';

export interface StoredReport {
  reportId: string;
  vulndbVersion?: string;
}

/**
 * Writes a scan's report and its findings with the caller's transaction (the one that also
 * reports the attempt). A scan keeps its report if the stored one was computed from the same or a
 * newer vulndb version: a report is never replaced by one computed from older data.
 */
export async function saveReport(
  manager: EntityManager,
  scan: { tenantId: string; scanId: string; attempt: number },
  report: ComputedReport,
): Promise<StoredReport> {
  const [existing] = (await manager.query(`SELECT id, vulndb_version::text AS version FROM worker.reports WHERE scan_id = $1 FOR UPDATE`, [
    scan.scanId,
  ])) as { id: string; version: string | null }[];
  if (existing && BigInt(existing.version ?? 0) >= BigInt(report.vulndbVersion ?? 0)) {
    return { reportId: existing.id, vulndbVersion: existing.version ?? undefined };
  }
  if (existing) await manager.query(`DELETE FROM worker.reports WHERE id = $1`, [existing.id]);

  const reportId = uuidv7();
  await manager.query(
    `INSERT INTO worker.reports (id, tenant_id, scan_id, attempt, manifest_digest, analyzer_version, vulndb_version, os, summary, coverage)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      reportId,
      scan.tenantId,
      scan.scanId,
      scan.attempt,
      report.manifestDigest,
      report.analyzerVersion,
      report.vulndbVersion ?? null,
      report.os ? JSON.stringify(report.os) : null,
      JSON.stringify(report.summary),
      JSON.stringify(report.coverage),
    ],
  );
  if (report.findings.length) {
    // Stored most severe first, then by package and id: the order the report lists them in.
    const ordered = [...report.findings].sort(
      (a, b) =>
        SEVERITIES.indexOf(b.severity) - SEVERITIES.indexOf(a.severity) ||
        a.package.name.localeCompare(b.package.name) ||
        a.package.path.localeCompare(b.package.path) ||
        a.id.localeCompare(b.id),
    );
    const rows = ordered.map((f, ordinal) => ({
      ordinal,
      advisory_id: f.id,
      aliases: f.aliases,
      feed: f.feed,
      ecosystem: f.ecosystem,
      package_type: f.package.type,
      package_name: f.package.namespace ? `${f.package.namespace}/${f.package.name}` : f.package.name,
      package_version: f.package.version,
      purl: f.package.purl ?? null,
      path: f.package.path,
      layer_digest: f.package.layerDigest ?? null,
      installed_version: f.installedVersion,
      fixed_version: f.fixedVersion ?? null,
      severity: f.severity,
      severity_source: f.severitySource,
      cvss_score: f.cvss?.score ?? null,
      cvss_vector: f.cvss?.vector ?? null,
      summary: f.summary ?? null,
      refs: f.references,
    }));
    await manager.query(
      `INSERT INTO worker.findings (report_id, ordinal, advisory_id, aliases, feed, ecosystem, package_type, package_name, package_version,
         purl, path, layer_digest, installed_version, fixed_version, severity, severity_source, cvss_score, cvss_vector, summary, refs)
       SELECT $1, r.ordinal, r.advisory_id, array(SELECT jsonb_array_elements_text(r.aliases)), r.feed, r.ecosystem, r.package_type,
         r.package_name, r.package_version, r.purl, r.path, r.layer_digest, r.installed_version, r.fixed_version, r.severity,
         r.severity_source, r.cvss_score, r.cvss_vector, r.summary, array(SELECT jsonb_array_elements_text(r.refs))
       FROM jsonb_to_recordset($2::jsonb) AS r(ordinal int, advisory_id text, aliases jsonb, feed text, ecosystem text, package_type text,
         package_name text, package_version text, purl text, path text, layer_digest text, installed_version text, fixed_version text,
         severity text, severity_source text, cvss_score real, cvss_vector text, summary text, refs jsonb)`,
      [reportId, JSON.stringify(rows).replace(/\\u0000/g, '')],
    );
  }
  return { reportId, vulndbVersion: report.vulndbVersion };
}
