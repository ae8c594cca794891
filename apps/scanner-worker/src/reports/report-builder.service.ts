import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { type Sbom, validateSbom } from '@vulnscan/analysis';
import {
  type Advisory,
  type Candidate,
  comparableName,
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
  private cache?: VersionCache;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async build(manifestDigest: string, analyzerVersion: string): Promise<ComputedReport> {
    return this.dataSource.transaction('REPEATABLE READ', async (manager) => {
      const [stored] = (await manager.query(`SELECT document FROM worker.sboms WHERE manifest_digest = $1 AND analyzer_version = $2`, [
        manifestDigest,
        analyzerVersion,
      ])) as { document: unknown }[];
      if (!stored) throw new Error(`no SBOM of ${manifestDigest} (analyzer ${analyzerVersion})`);
      return this.match(manager, validateSbom(stored.document));
    });
  }

  /** The same for an SBOM the caller has already read and validated (a rematch's). */
  async buildFrom(sbom: Sbom): Promise<ComputedReport> {
    return this.dataSource.transaction('REPEATABLE READ', (manager) => this.match(manager, sbom));
  }

  private async match(manager: EntityManager, sbom: Sbom): Promise<ComputedReport> {
    const [{ version }] = (await manager.query(`SELECT max(version)::text AS version FROM worker.vulndb_versions`)) as {
      version: string | null;
    }[];
    const cache = this.cacheFor(version ?? '0');
    const keys = new Map<string, { ecosystem: string; name: string }>();
    for (const pkg of sbom.packages) {
      const key = matchKey(pkg, sbom.os);
      if (key) keys.set(`${key.ecosystem}\u0000${key.name}`, key);
    }
    await this.loadEcosystems(manager, cache, [...new Set([...keys.values()].map((key) => key.ecosystem))]);
    await this.loadCandidates(manager, cache, keys);
    const candidates = [...keys.keys()].flatMap((key) => cache.candidates.get(key) ?? []);
    const ecosystemsWithData = new Set([...cache.ecosystems].filter(([, has]) => has).map(([ecosystem]) => ecosystem));
    const first = matchPackages({ packages: sbom.packages, os: sbom.os, candidates, ecosystemsWithData });
    // Findings no merged record gives a severity: ask the rest of the database about their ids.
    const unknownIds = [...new Set(first.findings.filter((f) => f.severity === 'Unknown').flatMap((f) => [f.id, ...f.aliases]))];
    await this.loadSeverities(manager, cache, unknownIds);
    const severityByAlias = new Map<string, Severity>();
    for (const id of unknownIds) {
      const severity = cache.severities.get(id);
      if (severity) severityByAlias.set(id, severity);
    }
    const result = severityByAlias.size
      ? matchPackages({ packages: sbom.packages, os: sbom.os, candidates, ecosystemsWithData, severityByAlias })
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

  /**
   * What the database says for one vulndb version never changes (an import that changes anything
   * makes a new version), so lookups are kept per version: re-matching a fleet of images built on
   * the same bases asks the database about each package once. Bounded; a new version starts afresh.
   */
  private cacheFor(version: string): VersionCache {
    if (this.cache?.version !== version || this.cache.candidates.size + this.cache.severities.size > CACHE_ENTRIES) {
      this.cache = { version, candidates: new Map(), ecosystems: new Map(), severities: new Map() };
    }
    return this.cache;
  }

  private async loadEcosystems(manager: EntityManager, cache: VersionCache, ecosystems: string[]): Promise<void> {
    const missing = ecosystems.filter((ecosystem) => !cache.ecosystems.has(ecosystem));
    if (!missing.length) return;
    const rows = (await manager.query(
      `SELECT e AS ecosystem FROM unnest($1::text[]) AS e WHERE EXISTS (SELECT 1 FROM worker.affected_packages WHERE ecosystem = e)`,
      [missing],
    )) as { ecosystem: string }[];
    const found = new Set(rows.map((row) => row.ecosystem));
    for (const ecosystem of missing) cache.ecosystems.set(ecosystem, found.has(ecosystem));
  }

  private async loadCandidates(
    manager: EntityManager,
    cache: VersionCache,
    keys: Map<string, { ecosystem: string; name: string }>,
  ): Promise<void> {
    const missing = [...keys].filter(([id]) => !cache.candidates.has(id)).map(([, key]) => key);
    if (!missing.length) return;
    const rows = (await manager.query(
      `SELECT a.feed, f.kind, a.document, p.ecosystem, p.name
       FROM unnest($1::text[], $2::text[]) AS k(ecosystem, name)
       JOIN worker.affected_packages p ON p.ecosystem = k.ecosystem AND p.name = k.name
       JOIN worker.advisories a ON a.feed = p.feed AND a.key = p.key
       JOIN worker.feeds f ON f.name = a.feed
       WHERE NOT a.withdrawn`,
      [missing.map((k) => k.ecosystem), missing.map((k) => k.name)],
    )) as CandidateRow[];
    const byKey = new Map<string, CandidateRow[]>();
    for (const row of rows) {
      const id = `${row.ecosystem}\u0000${row.name}`;
      byKey.set(id, [...(byKey.get(id) ?? []), row]);
    }
    for (const key of missing) {
      const id = `${key.ecosystem}\u0000${key.name}`;
      cache.candidates.set(id, candidatesOf(byKey.get(id) ?? []));
    }
  }

  /** The most severe severity any stored record with one of these ids (as its id or an alias) states. */
  private async loadSeverities(manager: EntityManager, cache: VersionCache, ids: string[]): Promise<void> {
    const missing = ids.filter((id) => !cache.severities.has(id));
    if (!missing.length) return;
    const rows = (await manager.query(`SELECT id, severity FROM worker.severity_by_id WHERE id = ANY($1::text[])`, [missing])) as {
      id: string;
      severity: Severity;
    }[];
    const found = new Map(rows.map((row) => [row.id, row.severity]));
    for (const id of missing) cache.severities.set(id, found.get(id) ?? null);
  }
}

/** Lookups of one vulndb version; `null` severity: no record states one. */
interface VersionCache {
  version: string;
  /** `ecosystem\0name` → the candidates for that key (empty: no advisory). */
  candidates: Map<string, Candidate[]>;
  ecosystems: Map<string, boolean>;
  severities: Map<string, Severity | null>;
}

/** Keys and ids kept per version before the cache starts afresh. */
const CACHE_ENTRIES = 200_000;

/** One candidate per affected entry of each advisory found for the SBOM's keys. */
function candidatesOf(rows: CandidateRow[]): Candidate[] {
  const candidates: Candidate[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    // An advisory with several affected entries for one key comes back once per entry: take the key's entries from the document once.
    const id = `${row.feed}\u0000${row.document.key}\u0000${row.ecosystem}\u0000${row.name}`;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const affected of row.document.affected) {
      if (affected.ecosystem === row.ecosystem && comparableName(affected.ecosystem, affected.name) === row.name) {
        candidates.push({ feed: row.feed, feedKind: row.kind, advisory: row.document, affected });
      }
    }
  }
  return candidates;
}

export function summarize(findings: readonly Finding[]): SeverityCounts {
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const finding of findings) bySeverity[finding.severity]++;
  return { total: findings.length, fixable: findings.filter((f) => f.fixedVersion !== undefined).length, by_severity: bySeverity };
}
