import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Upstreams in a table (the configured ones mirrored, tenants' own through the API), and cached
 * content scoped to the upstream it came through: `scope` is '' for configured upstreams and the
 * upstream's id for a tenant's, so a manifest one tenant's credentials fetched is never served
 * through another tenant's upstream of the same registry. `tenant_id` is who the cache's events
 * about the manifest are for.
 */
export class CacheUpstreams1764000000002 implements MigrationInterface {
  name = 'CacheUpstreams1764000000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE cache.upstreams (
        id uuid PRIMARY KEY,
        source text NOT NULL CHECK (source IN ('config', 'api')),
        tenant_id text,
        registry text NOT NULL,
        url text NOT NULL,
        username text,
        secret text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((source = 'api') = (tenant_id IS NOT NULL)),
        CHECK ((username IS NULL) = (secret IS NULL)),
        CHECK (source = 'api' OR username IS NULL)
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX upstreams_config_registry ON cache.upstreams (registry) WHERE source = 'config'`);
    await queryRunner.query(`CREATE UNIQUE INDEX upstreams_tenant_registry ON cache.upstreams (tenant_id, registry) WHERE source = 'api'`);

    await queryRunner.query(
      `ALTER TABLE cache.cached_manifests ADD COLUMN scope text NOT NULL DEFAULT '', ADD COLUMN tenant_id text NOT NULL DEFAULT 'default'`,
    );
    await queryRunner.query(`ALTER TABLE cache.cached_manifests DROP CONSTRAINT cached_manifests_upstream_repository_digest_key`);
    await queryRunner.query(
      `ALTER TABLE cache.cached_manifests ADD CONSTRAINT cached_manifests_scoped_key UNIQUE (scope, upstream, repository, digest)`,
    );
    await queryRunner.query(`ALTER TABLE cache.cached_tags ADD COLUMN scope text NOT NULL DEFAULT ''`);
    await queryRunner.query(`ALTER TABLE cache.cached_tags DROP CONSTRAINT cached_tags_pkey`);
    await queryRunner.query(`ALTER TABLE cache.cached_tags ADD PRIMARY KEY (scope, upstream, repository, tag)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM cache.cached_tags WHERE scope <> ''`);
    await queryRunner.query(`ALTER TABLE cache.cached_tags DROP CONSTRAINT cached_tags_pkey`);
    await queryRunner.query(`ALTER TABLE cache.cached_tags ADD PRIMARY KEY (upstream, repository, tag)`);
    await queryRunner.query(`ALTER TABLE cache.cached_tags DROP COLUMN scope`);
    await queryRunner.query(`DELETE FROM cache.cached_manifests WHERE scope <> ''`);
    await queryRunner.query(`ALTER TABLE cache.cached_manifests DROP CONSTRAINT cached_manifests_scoped_key`);
    await queryRunner.query(
      `ALTER TABLE cache.cached_manifests ADD CONSTRAINT cached_manifests_upstream_repository_digest_key UNIQUE (upstream, repository, digest)`,
    );
    await queryRunner.query(`ALTER TABLE cache.cached_manifests DROP COLUMN scope, DROP COLUMN tenant_id`);
    await queryRunner.query('DROP TABLE cache.upstreams');
  }
}
