import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A blob is known per source and size: `cached_blobs` gets one row per (source, digest, size),
 * where the source is the upstream whose bytes prove the blob (`config:<registry>` for a
 * configured upstream, shared by every tenant it serves; a tenant upstream's id otherwise). A
 * manifest names (digest, size) and reads the rows of its own `blob_source`, so a manifest
 * naming another scope's digest gives no right to read it, and a placeholder with a wrong size
 * only ever fails its own source's pulls. `stored_blobs` accounts for what is in storage (one
 * file per digest) and when it was last read, for least-recently-used eviction. Configured
 * upstreams record the tenants they serve.
 *
 * Existing placements of configured upstreams are kept; those of tenants' upstreams are queued
 * again, because which upstream's bytes were placed was not recorded.
 */
export class CacheBlobSources1764000000003 implements MigrationInterface {
  name = 'CacheBlobSources1764000000003';

  async up(queryRunner: QueryRunner): Promise<void> {
    // The tenants a configured upstream serves (CACHE_UPSTREAMS `@…`), so the API lists it to those only.
    await queryRunner.query(`ALTER TABLE cache.upstreams ADD COLUMN tenants text[] NOT NULL DEFAULT '{default}'`);
    await queryRunner.query(`ALTER TABLE cache.cached_manifests ADD COLUMN blob_source text`);
    await queryRunner.query(
      `UPDATE cache.cached_manifests SET blob_source = CASE WHEN scope = '' THEN 'config:' || upstream ELSE scope END`,
    );
    await queryRunner.query(`ALTER TABLE cache.cached_manifests ALTER COLUMN blob_source SET NOT NULL`);

    await queryRunner.query(`ALTER TABLE cache.manifest_blobs ADD COLUMN size bigint`);
    await queryRunner.query(`UPDATE cache.manifest_blobs mb SET size = b.size FROM cache.cached_blobs b WHERE b.digest = mb.digest`);
    await queryRunner.query(`ALTER TABLE cache.manifest_blobs ALTER COLUMN size SET NOT NULL`);
    await queryRunner.query(`ALTER TABLE cache.manifest_blobs DROP CONSTRAINT manifest_blobs_digest_fkey`);
    await queryRunner.query(`ALTER TABLE cache.manifest_blobs DROP CONSTRAINT manifest_blobs_pkey`);
    await queryRunner.query(`ALTER TABLE cache.manifest_blobs ADD PRIMARY KEY (manifest_id, digest, size)`);

    await queryRunner.query(`
      CREATE TABLE cache.stored_blobs (
        digest text PRIMARY KEY,
        size bigint NOT NULL CHECK (size >= 0),
        stored_at timestamptz NOT NULL DEFAULT now(),
        last_access_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX stored_blobs_lru ON cache.stored_blobs (last_access_at)`);
    await queryRunner.query(
      `INSERT INTO cache.stored_blobs (digest, size, stored_at, last_access_at)
       SELECT digest, size, placed_at, placed_at FROM cache.cached_blobs WHERE placed_at IS NOT NULL`,
    );

    await queryRunner.query(`ALTER TABLE cache.cached_blobs RENAME TO cached_blobs_by_digest`);
    // Index names are per schema: the old key's must not take the new table's.
    await queryRunner.query(`ALTER TABLE cache.cached_blobs_by_digest RENAME CONSTRAINT cached_blobs_pkey TO cached_blobs_by_digest_pkey`);
    await queryRunner.query(`
      CREATE TABLE cache.cached_blobs (
        source text NOT NULL,
        digest text NOT NULL,
        size bigint NOT NULL CHECK (size >= 0),
        media_type text NOT NULL,
        state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'placed', 'failed', 'evicted')),
        attempts int NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        lease_owner text,
        lease_until timestamptz,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        placed_at timestamptz,
        PRIMARY KEY (source, digest, size),
        CHECK ((state = 'placed') = (placed_at IS NOT NULL))
      )`);
    await queryRunner.query(`
      INSERT INTO cache.cached_blobs (source, digest, size, media_type, state, attempts, next_attempt_at, last_error, created_at, placed_at)
      SELECT DISTINCT s.source, b.digest, b.size, b.media_type,
        CASE WHEN s.source LIKE 'config:%' THEN b.state ELSE 'pending' END,
        CASE WHEN s.source LIKE 'config:%' THEN b.attempts ELSE 0 END,
        b.next_attempt_at, b.last_error, b.created_at,
        CASE WHEN s.source LIKE 'config:%' THEN b.placed_at END
      FROM cache.cached_blobs_by_digest b
      JOIN (SELECT DISTINCT mb.digest, m.blob_source AS source FROM cache.manifest_blobs mb
            JOIN cache.cached_manifests m ON m.id = mb.manifest_id) s ON s.digest = b.digest`);
    await queryRunner.query(`DROP TABLE cache.cached_blobs_by_digest`);
    await queryRunner.query(`CREATE INDEX cached_blobs_backlog ON cache.cached_blobs (next_attempt_at) WHERE state = 'pending'`);
    await queryRunner.query(`CREATE INDEX cached_blobs_leases ON cache.cached_blobs (lease_owner) WHERE lease_owner IS NOT NULL`);
    // Placement, completion and eviction look blobs up by digest across sources.
    await queryRunner.query(`CREATE INDEX cached_blobs_by_digest ON cache.cached_blobs (digest)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE cache.cached_blobs RENAME TO cached_blobs_by_source`);
    await queryRunner.query(`ALTER TABLE cache.cached_blobs_by_source RENAME CONSTRAINT cached_blobs_pkey TO cached_blobs_by_source_pkey`);
    await queryRunner.query(`DROP INDEX cache.cached_blobs_backlog, cache.cached_blobs_leases, cache.cached_blobs_by_digest`);
    await queryRunner.query(`
      CREATE TABLE cache.cached_blobs (
        digest text PRIMARY KEY,
        size bigint NOT NULL CHECK (size >= 0),
        media_type text NOT NULL,
        state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'placed', 'failed')),
        attempts int NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        lease_owner text,
        lease_until timestamptz,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        placed_at timestamptz,
        CHECK ((state = 'placed') = (placed_at IS NOT NULL))
      )`);
    await queryRunner.query(`
      INSERT INTO cache.cached_blobs (digest, size, media_type, state, created_at, placed_at)
      SELECT DISTINCT ON (digest) digest, size, media_type,
        CASE WHEN state = 'evicted' THEN 'pending' ELSE state END, created_at, placed_at
      FROM cache.cached_blobs_by_source ORDER BY digest, placed_at IS NULL, size`);
    await queryRunner.query(`DROP TABLE cache.cached_blobs_by_source`);
    await queryRunner.query(`CREATE INDEX cached_blobs_backlog ON cache.cached_blobs (next_attempt_at) WHERE state = 'pending'`);
    await queryRunner.query(`CREATE INDEX cached_blobs_leases ON cache.cached_blobs (lease_owner) WHERE lease_owner IS NOT NULL`);
    await queryRunner.query(`DROP TABLE cache.stored_blobs`);
    await queryRunner.query(
      `DELETE FROM cache.manifest_blobs mb WHERE NOT EXISTS (SELECT 1 FROM cache.cached_blobs b WHERE b.digest = mb.digest AND b.size = mb.size)`,
    );
    await queryRunner.query(`ALTER TABLE cache.manifest_blobs DROP CONSTRAINT manifest_blobs_pkey`);
    await queryRunner.query(
      `DELETE FROM cache.manifest_blobs a USING cache.manifest_blobs b WHERE a.manifest_id = b.manifest_id AND a.digest = b.digest AND a.ctid < b.ctid`,
    );
    await queryRunner.query(`ALTER TABLE cache.manifest_blobs ADD PRIMARY KEY (manifest_id, digest), DROP COLUMN size`);
    await queryRunner.query(`ALTER TABLE cache.manifest_blobs ADD FOREIGN KEY (digest) REFERENCES cache.cached_blobs(digest)`);
    await queryRunner.query(`ALTER TABLE cache.cached_manifests DROP COLUMN blob_source`);
    await queryRunner.query(`ALTER TABLE cache.upstreams DROP COLUMN tenants`);
  }
}
