import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { type Sbom, validateSbom } from '@vulnscan/analysis';
import { SbomEntity } from '@vulnscan/worker-entities';
import { matchKey } from '@vulnscan/vulndb';

export type SbomOutcome = 'generated' | 'reused';

const LOCK_POLL_MS = 250;

/**
 * SBOMs are content: one per (manifest digest, analyzer version), generated once however many
 * scans, tenants or worker processes ask for it at the same moment.
 */
@Injectable()
export class SbomStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The newest stored SBOM of a manifest, whichever analyzer version made it (a rematch uses it as it is). */
  async latest(manifestDigest: string): Promise<Sbom | undefined> {
    const entity = await this.dataSource.getRepository(SbomEntity).findOne({ where: { manifestDigest }, order: { createdAt: 'DESC' } });
    return entity ? validateSbom(entity.document) : undefined;
  }

  async exists(manifestDigest: string, analyzerVersion: string): Promise<boolean> {
    return this.dataSource.getRepository(SbomEntity).existsBy({ manifestDigest, analyzerVersion });
  }

  /**
   * Runs `generate` unless the SBOM exists, holding a session advisory lock on its key: a second
   * process polls for the lock without holding a connection while it waits (a waiter pinning a
   * pool connection could starve the generator), then reuses what the first one stored.
   */
  async once(manifestDigest: string, analyzerVersion: string, generate: () => Promise<Sbom>): Promise<SbomOutcome> {
    const key = `sbom|${manifestDigest}|${analyzerVersion}`;
    for (;;) {
      if (await this.exists(manifestDigest, analyzerVersion)) return 'reused';
      const runner = this.dataSource.createQueryRunner();
      await runner.connect();
      try {
        const [{ locked }] = (await runner.query('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [key])) as { locked: boolean }[];
        if (locked) {
          try {
            if (await this.exists(manifestDigest, analyzerVersion)) return 'reused';
            await this.save(await generate());
            return 'generated';
          } finally {
            await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [key]).catch(() => undefined);
          }
        }
      } finally {
        await runner.release();
      }
      await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
    }
  }

  private async save(sbom: Sbom): Promise<void> {
    const { manifestDigest } = sbom.image;
    const analyzerVersion = sbom.analyzer.version;
    await this.dataSource.transaction(async (manager) => {
      await manager.query(`INSERT INTO worker.sboms (manifest_digest, analyzer_version, document, package_count) VALUES ($1, $2, $3, $4)`, [
        manifestDigest,
        analyzerVersion,
        JSON.stringify(sbom),
        sbom.packages.length,
      ]);
      if (sbom.packages.length === 0) return;
      const column = <K extends keyof Sbom['packages'][number]>(key: K) => sbom.packages.map((pkg) => pkg[key] ?? null);
      const keys = sbom.packages.map((pkg) => matchKey(pkg, sbom.os));
      await manager.query(
        `INSERT INTO worker.sbom_packages (manifest_digest, analyzer_version, type, name, version, source_name, source_version, purl, ecosystem, match_name)
         SELECT $1, $2, * FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])`,
        [
          manifestDigest,
          analyzerVersion,
          column('type'),
          sbom.packages.map((pkg) => (pkg.namespace ? `${pkg.namespace}/${pkg.name}` : pkg.name)),
          column('version'),
          sbom.packages.map((pkg) => pkg.source?.name ?? null),
          sbom.packages.map((pkg) => pkg.source?.version ?? null),
          column('purl'),
          keys.map((key) => key?.ecosystem ?? null),
          keys.map((key) => key?.name ?? null),
        ],
      );
    });
  }
}
