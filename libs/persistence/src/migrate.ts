import { Client } from 'pg';
import { DataSource, DataSourceOptions } from 'typeorm';
import { describePostgresError, redactUrl } from './connection-errors';
import { assertSchemaName } from './data-source';

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

/**
 * Runs one service's migrations under a Postgres advisory lock keyed by its schema, so replicas
 * (or a Kubernetes Job and a pod) starting together never run them twice or interleave.
 */
export async function runServiceMigrations(options: DataSourceOptions & { schema?: string }): Promise<MigrationResult> {
  const schema = assertSchemaName(options.schema ?? 'public');
  const url = (options as { url?: string }).url ?? '';
  await ensureDatabase(url);
  const lock = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await lock.connect().catch((error: unknown) => {
    throw new Error(describePostgresError(error, url));
  });
  const dataSource = new DataSource({ ...options, extra: { ...(options.extra ?? {}), max: 2 } });
  try {
    await lock.query('SELECT pg_advisory_lock(hashtext($1))', [`vulnscan:migrate:${schema}`]);
    await lock.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await dataSource.initialize();
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return { schema, applied: applied.map((migration) => migration.name) };
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await lock.query('SELECT pg_advisory_unlock(hashtext($1))', [`vulnscan:migrate:${schema}`]).catch(() => undefined);
    await lock.end().catch(() => undefined);
  }
}
