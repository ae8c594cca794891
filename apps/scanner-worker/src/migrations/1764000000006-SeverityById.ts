import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The severity any stored record gives each vulnerability id (its own id or an alias), the most
 * severe when records disagree. Findings whose own records state none (the Debian OVAL, the
 * Alpine secdb, most Go records) look it up here by CVE: one primary-key probe per id, where
 * searching the advisories' alias arrays cost a sequential scan. Rebuilt by every import that
 * changes something, in its transaction.
 */
export class SeverityById1764000000006 implements MigrationInterface {
  name = 'SeverityById1764000000006';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE TABLE worker.severity_by_id (id text PRIMARY KEY, severity text NOT NULL)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE worker.severity_by_id');
  }
}
