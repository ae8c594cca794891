import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tenants get an incarnation: the id's first tenant is 1, each re-creation after a deletion one
 * more, so TenantDeleted says which life of the id ended. `quiet_until` is how long after a
 * deletion the services drop the tenant's late messages; the id cannot be created again before.
 */
export class TenantIncarnations1766000000001 implements MigrationInterface {
  name = 'TenantIncarnations1766000000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `ALTER TABLE gateway.tenants ADD COLUMN incarnation integer NOT NULL DEFAULT 1 CHECK (incarnation >= 1), ADD COLUMN quiet_until timestamptz`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE gateway.tenants DROP COLUMN incarnation, DROP COLUMN quiet_until');
  }
}
