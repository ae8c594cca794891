import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Scan states heard before the ScanAccepted that says which request the scan answers (events are
 * not ordered across handlers). ScanAccepted claims its scan's row; unclaimed rows (scans of other
 * services) are pruned after a day.
 */
export class EarlyScanStates1764000000003 implements MigrationInterface {
  name = 'EarlyScanStates1764000000003';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE status.early_scan_states (
        scan_id uuid PRIMARY KEY,
        tenant_id text NOT NULL,
        status text NOT NULL CHECK (status IN ('running', 'completed', 'failed')),
        error_code text,
        error_message text,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((status = 'failed') = (error_code IS NOT NULL))
      )`);
    await queryRunner.query(`CREATE INDEX early_scan_states_by_age ON status.early_scan_states (recorded_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE status.early_scan_states');
  }
}
