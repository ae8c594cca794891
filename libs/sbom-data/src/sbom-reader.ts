import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** A `worker.sboms` row: the stored `Sbom` (libs/analysis) of one manifest, not validated yet. */
export interface SbomRow {
  manifestDigest: string;
  analyzerVersion: string;
  document: unknown;
  packageCount: number;
  createdAt: Date;
}

/** Read-only access to stored SBOMs for other services, in plain SQL over the worker's tables. */
@Injectable()
export class SbomReader {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The newest SBOM of a manifest (the current analyzer's, once a scan has regenerated it). */
  async latest(manifestDigest: string): Promise<SbomRow | null> {
    const [row] = (await this.dataSource.query(
      `SELECT manifest_digest AS "manifestDigest", analyzer_version AS "analyzerVersion", document,
              package_count AS "packageCount", created_at AS "createdAt"
       FROM worker.sboms WHERE manifest_digest = $1 ORDER BY created_at DESC LIMIT 1`,
      [manifestDigest],
    )) as SbomRow[];
    return row ?? null;
  }

  /**
   * Manifest digests whose SBOM holds a package with one of these match keys (the ecosystem and
   * name vulnerability feeds use: `Debian:12`/`openssl`, `PyPI`/`jinja2`): one indexed lookup.
   */
  async manifestsContaining(keys: readonly { ecosystem: string; name: string }[]): Promise<string[]> {
    if (keys.length === 0) return [];
    const rows = (await this.dataSource.query(
      `SELECT DISTINCT p.manifest_digest FROM unnest($1::text[], $2::text[]) AS k(ecosystem, name)
       JOIN worker.sbom_packages p ON p.ecosystem = k.ecosystem AND p.match_name = k.name`,
      [keys.map((key) => key.ecosystem), keys.map((key) => key.name)],
    )) as { manifest_digest: string }[];
    return rows.map((row) => row.manifest_digest);
  }
}
