/**
 * Writes benchmark SBOMs straight into the platform database, in bulk, the way the services would
 * have left them: `worker.sboms` + `worker.sbom_packages` (with match keys) as SbomStore writes
 * them, and for each image a `scheduler.images` row and one completed scan of that manifest, so a
 * feed update finds the image as the scheduler's rematch does.
 */
import { randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { matchKey } from '@vulnscan/vulndb';
import { performance } from 'node:perf_hooks';
import { ANALYZER_VERSION, CANARY, type FleetImage, fleetImage, type Pools, REGISTRY } from './vulndb-fleet';
import { log, round } from './vulndb-report';

export const TENANT = 'default';

async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/** The SBOMs and their packages, one transaction for the batch. Returns the package rows written. */
export async function storeSboms(pool: Pool, images: readonly FleetImage[]): Promise<number> {
  return inTransaction(pool, async (client) => {
    await client.query(
      `INSERT INTO worker.sboms (manifest_digest, analyzer_version, document, package_count, created_at)
       SELECT t.digest, $1, t.document::jsonb, t.packages, t.created_at
       FROM unnest($2::text[], $3::text[], $4::int[], $5::timestamptz[]) AS t(digest, document, packages, created_at)`,
      [
        ANALYZER_VERSION,
        images.map((image) => image.manifestDigest),
        images.map((image) => JSON.stringify(image.sbom)),
        images.map((image) => image.sbom.packages.length),
        images.map((image) => image.sbom.createdAt),
      ],
    );
    const columns = {
      digest: [] as string[],
      type: [] as string[],
      name: [] as string[],
      version: [] as string[],
      sourceName: [] as (string | null)[],
      sourceVersion: [] as (string | null)[],
      purl: [] as string[],
      ecosystem: [] as (string | null)[],
      matchName: [] as (string | null)[],
    };
    for (const { manifestDigest, sbom } of images) {
      for (const pkg of sbom.packages) {
        const key = matchKey(pkg, sbom.os);
        columns.digest.push(manifestDigest);
        columns.type.push(pkg.type);
        columns.name.push(pkg.namespace ? `${pkg.namespace}/${pkg.name}` : pkg.name);
        columns.version.push(pkg.version);
        columns.sourceName.push(pkg.source?.name ?? null);
        columns.sourceVersion.push(pkg.source?.version ?? null);
        columns.purl.push(pkg.purl);
        columns.ecosystem.push(key?.ecosystem ?? null);
        columns.matchName.push(key?.name ?? null);
      }
    }
    await client.query(
      `INSERT INTO worker.sbom_packages (manifest_digest, analyzer_version, type, name, version, source_name, source_version, purl, ecosystem, match_name)
       SELECT t.digest, $1, t.type, t.name, t.version, t.source_name, t.source_version, t.purl, t.ecosystem, t.match_name
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
         AS t(digest, type, name, version, source_name, source_version, purl, ecosystem, match_name)`,
      [
        ANALYZER_VERSION,
        columns.digest,
        columns.type,
        columns.name,
        columns.version,
        columns.sourceName,
        columns.sourceVersion,
        columns.purl,
        columns.ecosystem,
        columns.matchName,
      ],
    );
    return columns.digest.length;
  });
}

/** An image per SBOM and one completed API scan of it, finished an hour after the SBOM was made. */
export async function storeCompletedScans(pool: Pool, images: readonly FleetImage[]): Promise<void> {
  await inTransaction(pool, async (client) => {
    const imageIds = images.map(() => randomUUID());
    await client.query(
      `INSERT INTO scheduler.images (id, tenant_id, reference, registry, repository, created_at)
       SELECT t.id, $1, t.reference, $2, t.repository, t.created_at
       FROM unnest($3::uuid[], $4::text[], $5::text[], $6::timestamptz[]) AS t(id, reference, repository, created_at)`,
      [TENANT, REGISTRY, imageIds, images.map((i) => i.reference), images.map((i) => i.repository), images.map((i) => i.sbom.createdAt)],
    );
    await client.query(
      `INSERT INTO scheduler.scans (id, tenant_id, image_id, image, registry, status, kind, trigger, progress, force_rescan, attempt,
         worker_id, created_at, dispatched_at, next_attempt_at, timeout_at, started_at, completed_at, manifest_digest, media_type,
         platform, layers, updated_at)
       SELECT t.id, $1, t.image_id, t.image, $2, 'completed', 'scan', 'api', 100, false, 1,
         'scanner-worker-seed', t.created_at, t.created_at, t.created_at, t.created_at + interval '30 minutes',
         t.created_at, t.created_at + interval '1 minute', t.digest, 'application/vnd.oci.image.manifest.v1+json',
         '{"os":"linux","architecture":"amd64"}'::jsonb, t.layers::jsonb, t.created_at + interval '1 minute'
       FROM unnest($3::uuid[], $4::uuid[], $5::text[], $6::timestamptz[], $7::text[], $8::text[])
         AS t(id, image_id, image, created_at, digest, layers)`,
      [
        TENANT,
        REGISTRY,
        images.map(() => randomUUID()),
        imageIds,
        images.map((i) => i.reference),
        images.map((i) => i.sbom.createdAt),
        images.map((i) => i.manifestDigest),
        images.map((i) => JSON.stringify(i.sbom.image.layers)),
      ],
    );
  });
}

/** Images per round trip when the fleet is written. */
const INSERT_BATCH = 250;

/** The fleet into worker.sboms/sbom_packages and scheduler.images/scans; generating the next batch while the last one is written. */
export async function storeFleet(pool: Pool, pools: Pools, fleet: number, packagesEach: number) {
  const started = performance.now();
  let pending: Promise<unknown> = Promise.resolve();
  let packages = 0;
  let bytes = 0;
  const byBase: Record<string, number> = {};
  for (let first = 0; first < fleet; first += INSERT_BATCH) {
    const batch: FleetImage[] = [];
    for (let index = first; index < Math.min(fleet, first + INSERT_BATCH); index++) {
      const image = fleetImage(pools, index, packagesEach);
      batch.push(image);
      packages += image.sbom.packages.length;
      bytes += JSON.stringify(image.sbom).length;
      const base = image.repository.split('/')[1]!.split('-')[0]!;
      byBase[base] = (byBase[base] ?? 0) + 1;
    }
    await pending;
    // Fresh statistics (autovacuum is off here): without them the foreign-key checks of each
    // batch keep the plan made while the referenced tables were nearly empty, a sequential scan,
    // and the insert slows down quadratically (13 minutes instead of about two for the fleet).
    await pool.query('ANALYZE worker.sboms, scheduler.images');
    pending = Promise.all([storeSboms(pool, batch), storeCompletedScans(pool, batch)]);
  }
  await pending;
  const insertSeconds = (performance.now() - started) / 1000;
  await pool.query('VACUUM ANALYZE worker.sboms, worker.sbom_packages, scheduler.images, scheduler.scans');
  const [canary] = (
    await pool.query<{ n: number }>(
      `SELECT count(DISTINCT manifest_digest)::int AS n FROM worker.sbom_packages WHERE ecosystem = 'PyPI' AND match_name = $1`,
      [CANARY.matchName],
    )
  ).rows;
  const result = {
    sboms: fleet,
    packages_total: packages,
    packages_avg: round(packages / fleet),
    documents_mb: Math.round(bytes / 2 ** 20),
    images_by_base: byBase,
    canary_sboms: canary!.n,
    generate_and_insert_s: round(insertSeconds),
  };
  log({ fleet: result });
  return result;
}
