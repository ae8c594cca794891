import { MigrationInterface, QueryRunner } from 'typeorm';

export class GatewayInitial1764000000001 implements MigrationInterface {
  name = 'GatewayInitial1764000000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE gateway.tenants (
        id text PRIMARY KEY,
        name text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz
      )`);
    await queryRunner.query(`
      CREATE TABLE gateway.api_keys (
        id uuid PRIMARY KEY,
        tenant_id text NOT NULL REFERENCES gateway.tenants(id),
        name text NOT NULL,
        key_hash text NOT NULL UNIQUE,
        key_prefix text NOT NULL,
        scopes text[] NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        revoked_at timestamptz
      )`);
    await queryRunner.query(`CREATE INDEX api_keys_tenant ON gateway.api_keys (tenant_id, created_at DESC)`);
    await queryRunner.query(`
      CREATE TABLE gateway.audit_log (
        id uuid PRIMARY KEY,
        tenant_id text,
        actor text,
        action text NOT NULL,
        target text,
        status int NOT NULL,
        correlation_id text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX audit_log_created ON gateway.audit_log (created_at DESC, id DESC)`);
    await queryRunner.query(`INSERT INTO gateway.tenants (id, name) VALUES ('default', 'Default tenant')`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE gateway.audit_log');
    await queryRunner.query('DROP TABLE gateway.api_keys');
    await queryRunner.query('DROP TABLE gateway.tenants');
  }
}
