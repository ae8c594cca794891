import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Scans another service asked for by ScanRequested (or was deduplicated into), and so follows by
 * their events. The scan events say so, and followers keep early events only of such scans.
 */
export class ScansFollowed1764000000005 implements MigrationInterface {
  name = 'ScansFollowed1764000000005';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE scheduler.scans ADD COLUMN followed boolean NOT NULL DEFAULT false`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE scheduler.scans DROP COLUMN followed');
  }
}
