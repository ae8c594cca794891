import { MigrationInterface, QueryRunner } from 'typeorm';

/** Scans the blob cache asked for read the image from the cache only. */
export class ScansViaCache1764000000003 implements MigrationInterface {
  name = 'ScansViaCache1764000000003';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE scheduler.scans ADD COLUMN via_cache boolean NOT NULL DEFAULT false`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE scheduler.scans DROP COLUMN via_cache');
  }
}
