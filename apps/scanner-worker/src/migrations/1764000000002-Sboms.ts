import { MigrationInterface, QueryRunner } from 'typeorm';

export class Sboms1764000000002 implements MigrationInterface {
  name = 'Sboms1764000000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE worker.sboms (
        manifest_digest text NOT NULL,
        analyzer_version text NOT NULL,
        document jsonb NOT NULL,
        package_count int NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (manifest_digest, analyzer_version)
      )`);
    // What re-matching after a feed update looks up: which SBOMs contain (type, name).
    await queryRunner.query(`
      CREATE TABLE worker.sbom_packages (
        manifest_digest text NOT NULL,
        analyzer_version text NOT NULL,
        type text NOT NULL,
        name text NOT NULL,
        version text NOT NULL,
        source_name text,
        source_version text,
        purl text NOT NULL,
        FOREIGN KEY (manifest_digest, analyzer_version) REFERENCES worker.sboms ON DELETE CASCADE
      )`);
    await queryRunner.query(`CREATE INDEX sbom_packages_by_name ON worker.sbom_packages (type, name)`);
    await queryRunner.query(`CREATE INDEX sbom_packages_by_sbom ON worker.sbom_packages (manifest_digest, analyzer_version)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE worker.sbom_packages');
    await queryRunner.query('DROP TABLE worker.sboms');
  }
}
