import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { type Sbom, validateSbom } from '@vulnscan/analysis';
import {
  type Advisory,
  type Candidate,
  type CoverageEntry,
  type FeedKind,
  type Finding,
  matchKey,
  matchPackages,
  type Severity,
  SEVERITIES,
} from '@vulnscan/vulndb';

export interface SeverityCounts {
  total: number;
  fixable: number;
  by_severity: Record<Severity, number>;
}

/** A report before it is stored: what the SBOM's packages match in one vulndb version. */
export interface ComputedReport {
  manifestDigest: string;
  analyzerVersion: string;
  /** undefined while no feed has been imported (the coverage then says `none` everywhere). */
  vulndbVersion?: string;
  os?: Sbom['os'];
  findings: Finding[];
  coverage: CoverageEntry[];
  summary: SeverityCounts;
  errors: string[];
}

interface CandidateRow {
  feed: string;
  kind: FeedKind;
  document: Advisory;
  ecosystem: string;
  name: string;
}

/**
 * Matches a stored SBOM against the vulnerability database. Everything is read in one
 * REPEATABLE READ transaction, so the report's vulndb version is exactly the data it used even
 * while a feed import commits next to it.
 */
@Injectable()
export class ReportBuilder {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async build(manifestDigest: string, analyzerVersion: string): Promise<ComputedReport> {
    return this.dataSource.transaction('REPEATABLE READ', async (manager) => {
      const [stored] = (await manager.query(`SELECT document FROM worker.sboms WHERE manifest_digest = $1 AND analyzer_version = $2`, [
        manifestDigest,
        analyzerVersion,
      ])) as { document: unknown }[];
      if (!stored) throw new Error(`no SBOM of ${manifestDigest} (analyzer ${analyzerVersion})`);
      const sbom = validateSbom(stored.document);
      return this.match(manager, sbom);
    });
  }

  private async match(manager: EntityManager, sbom: Sbom): Promise<ComputedReport> {
    const [{ version }] = (await manager.query(`SELECT max(version)::text AS version FROM worker.vulndb_versions`)) as { version: string | null }[];
    const keys = new Map<string, { ecosystem: string; name: string }>();
    for (const pkg of sbom.packages) {
      const key = matchKey(pkg, sbom.os);
      if (key) keys.set(`${key.ecosystem}\u0000${key.name}`, key);
    }
    const ecosystems = [...new Set([...keys.values()].map((key) => key.ecosystem))];
    const withData = (await manager.query(
      `SELECT e AS ecosystem FROM unnest($1::text[]) AS e WHERE EXISTS (SELECT 1 FROM worker.affected_packages WHERE ecosystem = e)`,
      [ecosystems],
    )) as { ecosystem: string }[];
    const rows = keys.size
      ? ((await manager.query(
          `SELECT a.feed, f.kind, a.document, p.ecosystem, p.name
           FROM unnest($1::text[], $2::text[]) AS k(ecosystem, name)
           JOIN worker.affected_packages p ON p.ecosystem = k.ecosystem AND p.name = k.name
           JOIN worker.advisories a ON a.feed = p.feed AND a.key = p.key
           JOIN worker.feeds f ON f.name = a.feed
           WHERE NOT a.withdrawn`,
          [[...keys.values()].map((k) => k.ecosystem), [...keys.values()].map((k) => k.name)],
        )) as CandidateRow[])
      : [];
    const candidates = candidatesOf(rows);
    const first = matchPackages({
      packages: sbom.packages,
      os: sbom.os,
      candidates,
      ecosystemsWithData: new Set(withData.map((row) => row.ecosystem)),
    });
    // Findings no merged record gives a severity: ask the rest of the database about their ids.
    const unknownIds = [...new Set(first.findings.filter((f) => f.severity === 'Unknown').flatMap((f) => [f.id, ...f.aliases]))];
    const severityByAlias = unknownIds.length ? await this.severitiesOf(manager, unknownIds) : new Map<string, Severity>();
    const result = severityByAlias.size
      ? matchPackages({
          packages: sbom.packages,
          os: sbom.os,
          candidates,
          ecosystemsWithData: new Set(withData.map((row) => row.ecosystem)),
          severityByAlias,
        })
      : first;
    return {
      manifestDigest: sbom.image.manifestDigest,
      analyzerVersion: sbom.analyzer.version,
      vulndbVersion: version ?? undefined,
      os: sbom.os,
      findings: result.findings,
      coverage: result.coverage,
      summary: summarize(result.findings),
      errors: result.errors,
    };
  }

  /** The most severe severity any stored record with one of these ids (as its id or an alias) states. */
  private async severitiesOf(manager: EntityManager, ids: string[]): Promise<Map<string, Severity>> {
    const rows = (await manager.query(`SELECT id, severity FROM worker.severity_by_id WHERE id = ANY($1::text[])`, [ids])) as {
      id: string;
      severity: Severity;
    }[];
    return new Map(rows.map((row) => [row.id, row.severity]));
  }
}

/** One candidate per affected entry of each advisory found for the SBOM's keys. */
function candidatesOf(rows: CandidateRow[]): Candidate[] {
  const candidates: Candidate[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    // An advisory with several affected entries for one key comes back once per entry: take its entries from the document.
    const id = `${row.feed}\u0000${row.document.key}\u0000${row.ecosystem}\u0000${row.name}`;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const affected of row.document.affected) {
      if (affected.ecosystem === row.ecosystem) candidates.push({ feed: row.feed, feedKind: row.kind, advisory: row.document, affected });
    }
  }
  return candidates;
}

export function summarize(findings: readonly Finding[]): SeverityCounts {
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const finding of findings) bySeverity[finding.severity]++;
  return { total: findings.length, fixable: findings.filter((f) => f.fixedVersion !== undefined).length, by_severity: bySeverity };
}
