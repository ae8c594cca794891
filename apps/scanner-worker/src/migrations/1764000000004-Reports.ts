import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Vulnerability reports: one per scan, computed from the scan's SBOM and one vulndb version, and
 * stored with its findings in one transaction. Foreign keys tie a report to the SBOM and the
 * database version it came from.
 */
export class Reports1764000000004 implements MigrationInterface {
  name = 'Reports1764000000004';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE worker.reports (
        id uuid PRIMARY KEY,
        tenant_id text NOT NULL,
        scan_id uuid NOT NULL UNIQUE,
        attempt int NOT NULL,
        manifest_digest text NOT NULL,
        analyzer_version text NOT NULL,
        -- NULL: no feed had been imported yet (the report says so in its coverage)
        vulndb_version bigint REFERENCES worker.vulndb_versions,
        os jsonb,
        summary jsonb NOT NULL,
        coverage jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        FOREIGN KEY (manifest_digest, analyzer_version) REFERENCES worker.sboms
      )`);
    await queryRunner.query(`CREATE INDEX reports_by_tenant ON worker.reports (tenant_id, created_at)`);
    await queryRunner.query(`
      CREATE TABLE worker.findings (
        report_id uuid NOT NULL REFERENCES worker.reports ON DELETE CASCADE,
        ordinal int NOT NULL,
        advisory_id text NOT NULL,
        aliases text[] NOT NULL,
        feed text NOT NULL,
        ecosystem text NOT NULL,
        package_type text NOT NULL,
        package_name text NOT NULL,
        package_version text NOT NULL,
        purl text,
        path text NOT NULL,
        layer_digest text,
        installed_version text NOT NULL,
        fixed_version text,
        severity text NOT NULL,
        severity_source text NOT NULL,
        cvss_score real,
        cvss_vector text,
        summary text,
        refs text[] NOT NULL,
        PRIMARY KEY (report_id, ordinal)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE worker.findings');
    await queryRunner.query('DROP TABLE worker.reports');
  }
}
