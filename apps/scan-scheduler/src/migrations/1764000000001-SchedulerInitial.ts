import { MigrationInterface, QueryRunner } from 'typeorm';

export class SchedulerInitial1764000000001 implements MigrationInterface {
  name = 'SchedulerInitial1764000000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE scheduler.images (
        id uuid PRIMARY KEY,
        tenant_id text NOT NULL,
        reference text NOT NULL,
        registry text NOT NULL,
        repository text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (tenant_id, reference)
      )`);
    await queryRunner.query(`
      CREATE TABLE scheduler.scans (
        id uuid PRIMARY KEY,
        tenant_id text NOT NULL,
        image_id uuid NOT NULL REFERENCES scheduler.images(id),
        image text NOT NULL,
        registry text NOT NULL,
        status text NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed', 'canceled')),
        kind text NOT NULL,
        trigger text NOT NULL,
        progress int NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
        force_rescan boolean NOT NULL DEFAULT false,
        idempotency_key text,
        requested_by text,
        request_id uuid,
        requested_platform jsonb,
        attempt int NOT NULL DEFAULT 0,
        worker_id text,
        created_at timestamptz NOT NULL,
        dispatched_at timestamptz,
        next_attempt_at timestamptz NOT NULL,
        attempt_deadline timestamptz,
        timeout_at timestamptz NOT NULL,
        started_at timestamptz,
        completed_at timestamptz,
        manifest_digest text,
        media_type text,
        platform jsonb,
        layers jsonb,
        error_code text,
        error_message text,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX scans_tenant_created ON scheduler.scans (tenant_id, created_at DESC, id DESC)`);
    await queryRunner.query(`CREATE INDEX scans_tenant_image_created ON scheduler.scans (tenant_id, image, created_at DESC, id DESC)`);
    await queryRunner.query(
      `CREATE INDEX scans_active_by_image ON scheduler.scans (image_id, created_at DESC) WHERE status IN ('queued', 'running')`,
    );
    await queryRunner.query(
      `CREATE INDEX scans_backlog ON scheduler.scans (next_attempt_at, created_at) WHERE status = 'queued' AND dispatched_at IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX scans_in_flight ON scheduler.scans (registry) WHERE dispatched_at IS NOT NULL AND status IN ('queued', 'running')`,
    );
    await queryRunner.query(`CREATE INDEX scans_request_id ON scheduler.scans (request_id) WHERE request_id IS NOT NULL`);
    await queryRunner.query(`
      CREATE TABLE scheduler.scan_attempts (
        scan_id uuid NOT NULL REFERENCES scheduler.scans(id) ON DELETE CASCADE,
        attempt int NOT NULL,
        status text NOT NULL,
        worker_id text,
        dispatched_at timestamptz NOT NULL,
        started_at timestamptz,
        finished_at timestamptz,
        error_code text,
        error_message text,
        PRIMARY KEY (scan_id, attempt)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE scheduler.scan_attempts');
    await queryRunner.query('DROP TABLE scheduler.scans');
    await queryRunner.query('DROP TABLE scheduler.images');
  }
}
