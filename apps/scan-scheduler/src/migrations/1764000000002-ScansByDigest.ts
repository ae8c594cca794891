import { MigrationInterface, QueryRunner } from 'typeorm';

/** A feed update looks up the images whose completed scans used given manifests. */
export class ScansByDigest1764000000002 implements MigrationInterface {
  name = 'ScansByDigest1764000000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX scans_completed_by_digest ON scheduler.scans (manifest_digest) WHERE status = 'completed'`);
    await queryRunner.query(
      `CREATE INDEX scans_completed_by_image ON scheduler.scans (image_id, created_at DESC) WHERE status = 'completed'`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP INDEX scheduler.scans_completed_by_image');
    await queryRunner.query('DROP INDEX scheduler.scans_completed_by_digest');
  }
}
