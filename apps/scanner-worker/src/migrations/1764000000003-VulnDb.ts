import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The vulnerability database: feeds as configured, the advisories they hold (normalized, with a
 * content hash so an unchanged advisory is never rewritten), one row per affected package for
 * lookups, and the database versions: a new one only when an import changed something.
 */
export class VulnDb1764000000003 implements MigrationInterface {
  name = 'VulnDb1764000000003';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE worker.vulndb_versions (
        version bigint PRIMARY KEY,
        feed text NOT NULL,
        added int NOT NULL,
        changed int NOT NULL,
        removed int NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE worker.feeds (
        name text PRIMARY KEY,
        kind text NOT NULL,
        location text NOT NULL,
        -- the vulndb version of the last import that changed this feed
        version bigint REFERENCES worker.vulndb_versions,
        record_count int NOT NULL DEFAULT 0,
        skipped_count int NOT NULL DEFAULT 0,
        last_sync_at timestamptz,
        last_success_at timestamptz,
        last_changed_at timestamptz,
        last_error text,
        -- a few skipped records with their reasons, for the operator
        skipped_sample jsonb NOT NULL DEFAULT '[]'
      )`);
    await queryRunner.query(`
      CREATE TABLE worker.advisories (
        feed text NOT NULL REFERENCES worker.feeds ON DELETE CASCADE,
        key text NOT NULL,
        id text NOT NULL,
        aliases text[] NOT NULL,
        content_hash bytea NOT NULL,
        document jsonb NOT NULL,
        severity text,
        withdrawn boolean NOT NULL,
        -- the vulndb version that last wrote this row
        version bigint NOT NULL REFERENCES worker.vulndb_versions,
        PRIMARY KEY (feed, key)
      )`);
    // Severity from another record sharing a CVE: aliases are looked up by value.
    await queryRunner.query(`CREATE INDEX advisories_by_alias ON worker.advisories USING gin (aliases)`);
    await queryRunner.query(`CREATE INDEX advisories_by_id ON worker.advisories (id)`);
    await queryRunner.query(`
      CREATE TABLE worker.affected_packages (
        feed text NOT NULL,
        key text NOT NULL,
        ecosystem text NOT NULL,
        name text NOT NULL,
        ranges jsonb NOT NULL,
        versions text[] NOT NULL,
        severity text,
        FOREIGN KEY (feed, key) REFERENCES worker.advisories ON DELETE CASCADE
      )`);
    await queryRunner.query(`CREATE INDEX affected_packages_by_package ON worker.affected_packages (ecosystem, name)`);
    await queryRunner.query(`CREATE INDEX affected_packages_by_advisory ON worker.affected_packages (feed, key)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE worker.affected_packages');
    await queryRunner.query('DROP TABLE worker.advisories');
    await queryRunner.query('DROP TABLE worker.feeds');
    await queryRunner.query('DROP TABLE worker.vulndb_versions');
  }
}
