import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each SBOM package's match key (the ecosystem and name vulnerability feeds use, e.g.
 * `Debian:12`/`openssl` for libssl3), so a feed update finds the SBOMs it affects with one
 * indexed lookup. Rows stored before this migration have none and are found again once rescanned.
 */
export class SbomPackageKeys1764000000005 implements MigrationInterface {
  name = 'SbomPackageKeys1764000000005';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE worker.sbom_packages ADD COLUMN ecosystem text, ADD COLUMN match_name text`);
    await queryRunner.query(`CREATE INDEX sbom_packages_by_match_key ON worker.sbom_packages (ecosystem, match_name)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX worker.sbom_packages_by_match_key`);
    await queryRunner.query(`ALTER TABLE worker.sbom_packages DROP COLUMN ecosystem, DROP COLUMN match_name`);
  }
}
