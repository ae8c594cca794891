import { MigrationInterface, QueryRunner } from 'typeorm';

/** Cache-triggered scans requested per tenant in the current minute (CACHE_SCAN_RATE_PER_MINUTE). */
export class CacheScanRates1764000000004 implements MigrationInterface {
  name = 'CacheScanRates1764000000004';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE status.cache_scan_rates (
        tenant_id text PRIMARY KEY,
        window_start timestamptz NOT NULL,
        requested int NOT NULL CHECK (requested >= 0)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE status.cache_scan_rates');
  }
}
