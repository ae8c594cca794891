import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `admin` used to rule every tenant. It now means a tenant's administrator, and the operator has a
 * scope of its own: `admin` keys of the bootstrap tenant become operator keys (they keep `admin`
 * and gain `platform:admin`); other tenants' `admin` keys stay tenant admins.
 */
export class OperatorScope1765000000001 implements MigrationInterface {
  name = 'OperatorScope1765000000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `UPDATE gateway.api_keys SET scopes = array_append(scopes, 'platform:admin')
       WHERE tenant_id = 'default' AND 'admin' = ANY (scopes) AND NOT ('platform:admin' = ANY (scopes))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`UPDATE gateway.api_keys SET scopes = array_remove(scopes, 'platform:admin')`);
  }
}
