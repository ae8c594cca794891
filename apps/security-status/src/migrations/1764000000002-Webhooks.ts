import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Webhooks and their notifications (deliveries). `notifications` is the delivery queue: a row is
 * enqueued with the ScanCompleted that caused it and claimed by one deliverer at a time (lease).
 */
export class Webhooks1764000000002 implements MigrationInterface {
  name = 'Webhooks1764000000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE status.webhooks (
        id uuid PRIMARY KEY,
        tenant_id text NOT NULL,
        url text NOT NULL,
        events text[] NOT NULL CHECK (cardinality(events) > 0 AND events <@ ARRAY['scan.completed', 'vulnerabilities.new']),
        secret text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX webhooks_by_tenant ON status.webhooks (tenant_id, created_at)`);
    await queryRunner.query(`
      CREATE TABLE status.notifications (
        id uuid PRIMARY KEY,
        tenant_id text NOT NULL,
        webhook_id uuid NOT NULL REFERENCES status.webhooks ON DELETE CASCADE,
        event text NOT NULL CHECK (event IN ('scan.completed', 'vulnerabilities.new')),
        scan_id uuid NOT NULL,
        body text NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
        attempts int NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        lease_until timestamptz,
        lease_token uuid,
        last_status_code int,
        last_error text,
        attempt_log jsonb NOT NULL DEFAULT '[]',
        delivered_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (webhook_id, scan_id, event)
      )`);
    await queryRunner.query(`CREATE INDEX notifications_due ON status.notifications (next_attempt_at) WHERE status = 'pending'`);
    await queryRunner.query(`CREATE INDEX notifications_by_webhook ON status.notifications (webhook_id, id DESC)`);
    await queryRunner.query(`CREATE INDEX notifications_finished ON status.notifications (updated_at) WHERE status <> 'pending'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE status.notifications');
    await queryRunner.query('DROP TABLE status.webhooks');
  }
}
