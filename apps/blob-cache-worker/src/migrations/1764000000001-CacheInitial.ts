import { MigrationInterface, QueryRunner } from 'typeorm';

/** Manifests, tags, blobs (placeholders, download queue and placements) and their links. */
export class CacheInitial1764000000001 implements MigrationInterface {
  name = 'CacheInitial1764000000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE cache.cached_manifests (
        id uuid PRIMARY KEY,
        upstream text NOT NULL,
        repository text NOT NULL,
        digest text NOT NULL,
        media_type text NOT NULL,
        config_media_type text,
        size int NOT NULL,
        content bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz,
        UNIQUE (upstream, repository, digest)
      )`);
    await queryRunner.query(`
      CREATE TABLE cache.cached_tags (
        upstream text NOT NULL,
        repository text NOT NULL,
        tag text NOT NULL,
        digest text NOT NULL,
        fetched_at timestamptz NOT NULL,
        PRIMARY KEY (upstream, repository, tag)
      )`);
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
    // The download backlog: only pending rows, in the order they become due.
    await queryRunner.query(`CREATE INDEX cached_blobs_backlog ON cache.cached_blobs (next_attempt_at) WHERE state = 'pending'`);
    await queryRunner.query(`CREATE INDEX cached_blobs_leases ON cache.cached_blobs (lease_owner) WHERE lease_owner IS NOT NULL`);
    // The primary key serves "the blobs of a manifest" (completion check); the digest index
    // serves "the manifests naming a blob" (completion candidates, blob access, download sources).
    await queryRunner.query(`
      CREATE TABLE cache.manifest_blobs (
        manifest_id uuid NOT NULL REFERENCES cache.cached_manifests(id) ON DELETE CASCADE,
        digest text NOT NULL REFERENCES cache.cached_blobs(digest),
        PRIMARY KEY (manifest_id, digest)
      )`);
    await queryRunner.query(`CREATE INDEX manifest_blobs_by_digest ON cache.manifest_blobs (digest)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE cache.manifest_blobs');
    await queryRunner.query('DROP TABLE cache.cached_blobs');
    await queryRunner.query('DROP TABLE cache.cached_tags');
    await queryRunner.query('DROP TABLE cache.cached_manifests');
  }
}
