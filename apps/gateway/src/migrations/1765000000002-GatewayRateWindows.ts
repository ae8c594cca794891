import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Request counts per bucket (an API key, a client address) and minute, shared by every gateway
 * replica. UNLOGGED: every request writes here, and after a crash the counts start again from
 * zero, which only forgives the current minute.
 */
export class GatewayRateWindows1765000000002 implements MigrationInterface {
  name = 'GatewayRateWindows1765000000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE UNLOGGED TABLE gateway.rate_windows (
        bucket text NOT NULL,
        window_start timestamptz NOT NULL,
        hits int NOT NULL,
        PRIMARY KEY (bucket, window_start)
      )`);
    await queryRunner.query(`CREATE INDEX rate_windows_start ON gateway.rate_windows (window_start)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE gateway.rate_windows');
  }
}
