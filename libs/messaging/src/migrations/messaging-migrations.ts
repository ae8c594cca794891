import { MigrationInterface, QueryRunner } from 'typeorm';
import { messagingTables } from '../sql';

export type MigrationClass = new () => MigrationInterface;

/**
 * The lib's tables in one service schema, as TypeORM migrations the service runs with its own.
 * Classes are created per schema because the schema is part of every statement; the schema itself
 * must already exist (the service's migration runner creates it).
 */
export function messagingMigrations(schema: string): MigrationClass[] {
  const t = messagingTables(schema);

  class MessagingTables1764000000000 implements MigrationInterface {
    async up(runner: QueryRunner): Promise<void> {
      await runner.query(`
        CREATE TABLE ${t.outbox} (
          id uuid PRIMARY KEY,
          type text NOT NULL,
          envelope jsonb NOT NULL,
          created_at timestamptz NOT NULL DEFAULT now(),
          published_at timestamptz NULL
        )`);
      // The relay only ever scans unpublished rows; the partial index stays tiny.
      await runner.query(`CREATE INDEX outbox_unpublished_idx ON ${t.outbox} (id) WHERE published_at IS NULL`);
      await runner.query(`CREATE INDEX outbox_published_at_idx ON ${t.outbox} (published_at) WHERE published_at IS NOT NULL`);
      await runner.query(`
        CREATE TABLE ${t.inbox} (
          consumer text NOT NULL,
          message_id uuid NOT NULL,
          received_at timestamptz NOT NULL DEFAULT now(),
          PRIMARY KEY (consumer, message_id)
        )`);
      await runner.query(`CREATE INDEX inbox_received_at_idx ON ${t.inbox} (received_at)`);
      await runner.query(`
        CREATE TABLE ${t.deadLetters} (
          id uuid PRIMARY KEY,
          source_queue text NOT NULL,
          routing_key text NOT NULL,
          message_id text NULL,
          body text NOT NULL,
          headers jsonb NOT NULL DEFAULT '{}'::jsonb,
          reason text NOT NULL,
          error text NULL,
          attempts integer NOT NULL DEFAULT 0,
          dead_lettered_at timestamptz NOT NULL DEFAULT now(),
          replayed_at timestamptz NULL
        )`);
      // Statement-level: one notification per inserting statement, however many rows it adds.
      await runner.query(`
        CREATE FUNCTION ${t.notifyFunction}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          PERFORM pg_notify('${t.notifyChannel}', '');
          RETURN NULL;
        END
        $$`);
      await runner.query(`
        CREATE TRIGGER outbox_notify AFTER INSERT ON ${t.outbox}
        FOR EACH STATEMENT EXECUTE FUNCTION ${t.notifyFunction}()`);
    }

    async down(runner: QueryRunner): Promise<void> {
      await runner.query(`DROP TRIGGER IF EXISTS outbox_notify ON ${t.outbox}`);
      await runner.query(`DROP FUNCTION IF EXISTS ${t.notifyFunction}()`);
      await runner.query(`DROP TABLE IF EXISTS ${t.deadLetters}`);
      await runner.query(`DROP TABLE IF EXISTS ${t.inbox}`);
      await runner.query(`DROP TABLE IF EXISTS ${t.outbox}`);
    }
  }

  /**
   * Deleted tenants, one row per id (its latest deletion): the inbox drops a message of the tenant
   * that occurred before `quiet_until`, so no late message brings a deleted tenant's data back.
   */
  class TenantTombstones1766000000000 implements MigrationInterface {
    async up(runner: QueryRunner): Promise<void> {
      await runner.query(`
        CREATE TABLE ${t.tenantTombstones} (
          tenant_id text PRIMARY KEY,
          incarnation integer NOT NULL CHECK (incarnation >= 1),
          deleted_at timestamptz NOT NULL,
          quiet_until timestamptz NOT NULL,
          recorded_at timestamptz NOT NULL DEFAULT now()
        )`);
    }

    async down(runner: QueryRunner): Promise<void> {
      await runner.query(`DROP TABLE IF EXISTS ${t.tenantTombstones}`);
    }
  }

  return [MessagingTables1764000000000, TenantTombstones1766000000000];
}
