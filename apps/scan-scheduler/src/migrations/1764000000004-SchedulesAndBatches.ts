import { MigrationInterface, QueryRunner } from 'typeorm';

/** Schedules, batches (bulk requests and schedule runs), periodic job leases, replica heartbeats, retention indexes. */
export class SchedulesAndBatches1764000000004 implements MigrationInterface {
  name = 'SchedulesAndBatches1764000000004';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE scheduler.schedules (
        id uuid PRIMARY KEY,
        tenant_id text NOT NULL,
        name text NOT NULL,
        target_kind text NOT NULL CHECK (target_kind IN ('image', 'repository', 'catalog')),
        image text,
        registry text,
        repository text,
        tag_filter text,
        interval_seconds int CHECK (interval_seconds > 0),
        cron text,
        enabled boolean NOT NULL DEFAULT true,
        next_run_at timestamptz NOT NULL,
        last_run_at timestamptz,
        last_batch_id uuid,
        last_error text,
        created_by text,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        CHECK ((interval_seconds IS NULL) <> (cron IS NULL))
      )`);
    await queryRunner.query(`CREATE INDEX schedules_tenant_created ON scheduler.schedules (tenant_id, created_at DESC, id DESC)`);
    await queryRunner.query(`CREATE INDEX schedules_due ON scheduler.schedules (next_run_at) WHERE enabled`);
    await queryRunner.query(`
      CREATE TABLE scheduler.scan_batches (
        id uuid PRIMARY KEY,
        tenant_id text NOT NULL,
        source text NOT NULL CHECK (source IN ('bulk', 'schedule')),
        schedule_id uuid,
        requested_by text,
        count int NOT NULL,
        skipped int NOT NULL DEFAULT 0,
        deduplicated int NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL,
        canceled_at timestamptz
      )`);
    await queryRunner.query(
      `CREATE INDEX scan_batches_tenant_source_created ON scheduler.scan_batches (tenant_id, source, created_at DESC)`,
    );
    await queryRunner.query(`CREATE INDEX scan_batches_created ON scheduler.scan_batches (created_at)`); // retention
    await queryRunner.query(`ALTER TABLE scheduler.scans ADD COLUMN batch_id uuid`);
    // the dispatcher reads the first few of each tenant's backlog, API scans apart (a bulk must not hide them)
    await queryRunner.query(
      `CREATE INDEX scans_backlog_by_tenant ON scheduler.scans (tenant_id, created_at) WHERE status = 'queued' AND dispatched_at IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX scans_backlog_api ON scheduler.scans (tenant_id, created_at) WHERE status = 'queued' AND dispatched_at IS NULL AND trigger = 'api'`,
    );
    await queryRunner.query(`CREATE INDEX scans_batch ON scheduler.scans (batch_id, status) WHERE batch_id IS NOT NULL`);
    // retention: old finished scans (the latest completed ones of an image, which it keeps, use scans_completed_by_image)
    await queryRunner.query(
      `CREATE INDEX scans_finished_created ON scheduler.scans (created_at) WHERE status IN ('completed', 'failed', 'canceled')`,
    );
    await queryRunner.query(`
      CREATE TABLE scheduler.periodic_jobs (
        name text PRIMARY KEY,
        next_run_at timestamptz NOT NULL,
        last_run_at timestamptz,
        last_run_by text,
        last_duration_ms int,
        last_error text
      )`);
    await queryRunner.query(`
      CREATE TABLE scheduler.scheduler_instances (
        instance_id text PRIMARY KEY,
        started_at timestamptz NOT NULL,
        heartbeat_at timestamptz NOT NULL,
        scan_enabled boolean NOT NULL,
        worker_count int NOT NULL DEFAULT 0
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE scheduler.scheduler_instances');
    await queryRunner.query('DROP TABLE scheduler.periodic_jobs');
    await queryRunner.query('DROP INDEX scheduler.scans_finished_created');
    await queryRunner.query('DROP INDEX scheduler.scans_backlog_api');
    await queryRunner.query('DROP INDEX scheduler.scans_backlog_by_tenant');
    await queryRunner.query('ALTER TABLE scheduler.scans DROP COLUMN batch_id');
    await queryRunner.query('DROP TABLE scheduler.scan_batches');
    await queryRunner.query('DROP TABLE scheduler.schedules');
  }
}
