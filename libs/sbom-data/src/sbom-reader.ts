import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { SbomEntity } from './entities';

/** Read-only access to stored SBOMs for other services. */
@Injectable()
export class SbomReader {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The newest SBOM of a manifest (the current analyzer's, once a scan has regenerated it). */
  latest(manifestDigest: string): Promise<SbomEntity | null> {
    return this.dataSource.getRepository(SbomEntity).findOne({ where: { manifestDigest }, order: { createdAt: 'DESC' } });
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
