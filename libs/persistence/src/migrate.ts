import { Client } from 'pg';
import { DataSource, DataSourceOptions } from 'typeorm';
import { describePostgresError, redactUrl } from './connection-errors';
import { assertSchemaName } from './data-source';
import { applySchemaGrants, ensureRole, revokePublicCreate, type SchemaAccess } from './database-roles';

/** Creates the database named in `url` when it does not exist yet (local start-up, tests). */
export async function ensureDatabase(url: string): Promise<void> {
  const target = new URL(url);
  const database = decodeURIComponent(target.pathname.replace(/^\//, '')) || 'postgres';
  const probe = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await probe.connect();
    return;
  } catch (error) {
    if ((error as { code?: string }).code !== '3D000') throw new Error(describePostgresError(error, url));
  } finally {
    await probe.end().catch(() => undefined);
  }
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString(), connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
  } catch (error) {
    // Another service created it between our probe and our CREATE: that is the goal reached
    // (42P04 duplicate_database, or 23505 when both CREATEs raced inside the catalog).
    const code = (error as { code?: string }).code;
    if (code !== '42P04' && code !== '23505') {
      throw new Error(`Could not create database ${database} at ${redactUrl(url)}: ${(error as Error).message}`);
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface MigrationResult {
  schema: string;
  applied: string[];
}

export type ServiceMigrationOptions = DataSourceOptions & {
  schema?: string;
  /** The service's role and its readers; without it the runner only migrates (tests of one lib). */
  access?: SchemaAccess;
};

/**
 * Runs one service's migrations under a Postgres advisory lock keyed by its schema, so replicas
 * (or a Kubernetes Job and a pod) starting together never run them twice or interleave; then, still
 * under the lock, makes the privileges on the schema those of `access`. `url` is the migration
 * connection: it creates the schema, the tables and the roles, so it owns them.
 */
export async function runServiceMigrations(options: ServiceMigrationOptions): Promise<MigrationResult> {
  const schema = assertSchemaName(options.schema ?? 'public');
  const { access, ...dataSourceOptions } = options;
  const url = (options as { url?: string }).url ?? '';
  await ensureDatabase(url);
  const lock = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await lock.connect().catch((error: unknown) => {
    throw new Error(describePostgresError(error, url));
  });
  const dataSource = new DataSource({ ...dataSourceOptions, extra: { ...(options.extra ?? {}), max: 2 } } as DataSourceOptions);
  try {
    await lock.query('SELECT pg_advisory_lock(hashtext($1))', [`vulnscan:migrate:${schema}`]);
    await lock.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await dataSource.initialize();
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    if (access) await grantAccess(lock, schema, access, url);
    return { schema, applied: applied.map((migration) => migration.name) };
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await lock.query('SELECT pg_advisory_unlock(hashtext($1))', [`vulnscan:migrate:${schema}`]).catch(() => undefined);
    await lock.end().catch(() => undefined);
  }
}

async function grantAccess(client: Client, schema: string, access: SchemaAccess, url: string): Promise<void> {
  try {
    await ensureRole(client, access.role, access.password);
    for (const reader of Object.keys(access.readers)) await ensureRole(client, reader);
    await client.query('BEGIN');
    await applySchemaGrants(client, schema, access);
    await client.query('COMMIT');
    // Every service's runner may find it open; the lock keeps two of them from revoking at once.
    await client.query('SELECT pg_advisory_lock(hashtext($1))', ['vulnscan:migrate:public']);
    await revokePublicCreate(client).finally(() => client.query('SELECT pg_advisory_unlock(hashtext($1))', ['vulnscan:migrate:public']));
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    if ((error as { code?: string }).code === '42501') {
      throw new Error(
        `The migration connection ${redactUrl(url)} may not manage the role ${access.role} or the privileges on schema ${schema} ` +
          `(${(error as Error).message}): it needs CREATEROLE (or superuser) and must own the schema; set DATABASE_MIGRATION_URL to such a role.`,
      );
    }
    throw error;
  }
}
