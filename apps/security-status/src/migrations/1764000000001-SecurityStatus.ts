import { MigrationInterface, QueryRunner } from 'typeorm';

/** Security status per (tenant, upstream, repository, manifest digest). */
export class SecurityStatus1764000000001 implements MigrationInterface {
  name = 'SecurityStatus1764000000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE status.manifest_security_status (
        id uuid PRIMARY KEY,
        tenant_id text NOT NULL,
        upstream text NOT NULL,
        repository text NOT NULL,
        manifest_digest text NOT NULL,
        media_type text,
        status text NOT NULL CHECK (status IN ('queued', 'in_progress', 'completed', 'failed', 'unsupported', 'layer_too_large', 'retries_exhausted')),
        reason text,
        message text,
        request_id uuid,
        scan_id uuid,
        last_completed_scan_id uuid,
        attempts int NOT NULL DEFAULT 0,
        cache_complete boolean NOT NULL DEFAULT false,
        retry_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (tenant_id, upstream, repository, manifest_digest)
      )`);
    await queryRunner.query(`CREATE INDEX manifest_status_by_digest ON status.manifest_security_status (tenant_id, manifest_digest)`);
    await queryRunner.query(`CREATE INDEX manifest_status_by_status ON status.manifest_security_status (tenant_id, status, id DESC)`);
    await queryRunner.query(
      `CREATE INDEX manifest_status_by_request ON status.manifest_security_status (request_id) WHERE request_id IS NOT NULL`,
    );
    await queryRunner.query(`CREATE INDEX manifest_status_by_scan ON status.manifest_security_status (scan_id) WHERE scan_id IS NOT NULL`);
    await queryRunner.query(
      `CREATE INDEX manifest_status_retry_due ON status.manifest_security_status (retry_at) WHERE retry_at IS NOT NULL`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE status.manifest_security_status');
  }
}
