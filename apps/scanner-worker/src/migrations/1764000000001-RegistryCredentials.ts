import { MigrationInterface, QueryRunner } from 'typeorm';

export class RegistryCredentials1764000000001 implements MigrationInterface {
  name = 'RegistryCredentials1764000000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE worker.registry_credentials (
        id uuid PRIMARY KEY,
        tenant_id text NOT NULL,
        registry text NOT NULL,
        username text NOT NULL,
        secret text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (tenant_id, registry)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE worker.registry_credentials');
  }
}
