import type { ClientBase } from 'pg';
import { assertSchemaName, MIGRATIONS_TABLE } from './data-source';
import { scramSha256Verifier } from './scram-verifier';

/** A table or view another service may read: all of it, or only the listed columns. */
export type SharedTable = string | { table: string; columns: readonly string[] };

/**
 * Who may do what in one service's schema. The service's role writes its tables (DML only: the
 * schema and its tables belong to the migration role, so the running service cannot change their
 * shape); each reader role may SELECT exactly the tables listed for it.
 */
export interface SchemaAccess {
  /** The role the service connects with at run time. */
  role: string;
  /** Set on the role when given (the password of the service's DATABASE_URL); untouched otherwise. */
  password?: string;
  /** Reader role → tables and views of this schema it may SELECT (the owner's read-only readers). */
  readers: Readonly<Record<string, readonly SharedTable[]>>;
}

/** Every role the platform manages starts with this; grants to other roles are left alone. */
export const SERVICE_ROLE_PREFIX = 'vulnscan_';

/** The database role of a service: `scan-scheduler` → `vulnscan_scan_scheduler`. */
export function serviceRoleName(service: string): string {
  return assertSchemaName(`${SERVICE_ROLE_PREFIX}${service.replace(/-/g, '_')}`);
}

/** The user a postgres:// URL connects as, or undefined when it names none (the OS user then). */
export function connectionUser(url: string): string | undefined {
  const user = decodeURIComponent(new URL(url).username);
  return user || undefined;
}

export function connectionPassword(url: string): string | undefined {
  const password = decodeURIComponent(new URL(url).password);
  return password || undefined;
}

function quoted(identifier: string): string {
  return `"${assertSchemaName(identifier)}"`;
}

/**
 * Creates a login role when it is missing. Roles are cluster-wide: services of other databases on
 * the same cluster (test suites side by side, two installs) may create the same one at the same
 * moment, and losing that race is the goal reached (42710 duplicate_object, or 23505 when both
 * inserts met in the catalog).
 */
export async function ensureRole(client: ClientBase, role: string, password?: string): Promise<void> {
  const { rowCount } = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
  if (!rowCount) {
    try {
      await client.query(`CREATE ROLE ${quoted(role)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION`);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code !== '42710' && code !== '23505') throw error;
    }
  }
  if (password !== undefined) {
    // hashed here when we can, so the password never reaches the server's statement log
    const stored = scramSha256Verifier(password) ?? password;
    await client.query(`ALTER ROLE ${quoted(role)} PASSWORD ${client.escapeLiteral(stored)}`);
  }
}

/**
 * Makes the privileges of the platform's roles on `schema` exactly `access`: revokes what any
 * `vulnscan_*` role holds there (but the migration role itself, whatever its name), then grants the service's role DML on every table and sequence
 * and each reader its tables. Runs in the caller's transaction, so no reader sees the gap; every
 * role must exist already (a CREATE ROLE lost to a race would abort that transaction).
 */
export async function applySchemaGrants(client: ClientBase, schema: string, access: SchemaAccess): Promise<void> {
  const s = quoted(schema);
  const { rows } = await client.query<{ role: string }>(
    `SELECT DISTINCT r.rolname AS role
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       CROSS JOIN LATERAL aclexplode(c.relacl) acl
       JOIN pg_roles r ON r.oid = acl.grantee
      WHERE n.nspname = $1 AND r.rolname LIKE $2 AND r.rolname <> current_user
     UNION
     SELECT r.rolname
       FROM pg_attribute a
       JOIN pg_class c ON c.oid = a.attrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       CROSS JOIN LATERAL aclexplode(a.attacl) acl
       JOIN pg_roles r ON r.oid = acl.grantee
      WHERE n.nspname = $1 AND r.rolname LIKE $2 AND r.rolname <> current_user
     UNION
     SELECT r.rolname FROM pg_namespace n CROSS JOIN LATERAL aclexplode(n.nspacl) acl JOIN pg_roles r ON r.oid = acl.grantee
      WHERE n.nspname = $1 AND r.rolname LIKE $2 AND r.rolname <> current_user`,
    [schema, `${SERVICE_ROLE_PREFIX}%`],
  );
  for (const { role } of rows) {
    await client.query(`REVOKE ALL ON ALL TABLES IN SCHEMA ${s} FROM ${quoted(role)}`);
    await client.query(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA ${s} FROM ${quoted(role)}`);
    await client.query(`REVOKE ALL ON SCHEMA ${s} FROM ${quoted(role)}`);
  }
  const role = quoted(access.role);
  await client.query(`GRANT USAGE ON SCHEMA ${s} TO ${role}`);
  await client.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${s} TO ${role}`);
  await client.query(`GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA ${s} TO ${role}`);
  const history = await client.query('SELECT to_regclass($1) AS history', [`${s}.${quoted(MIGRATIONS_TABLE)}`]);
  if (history.rows[0]?.history) await client.query(`REVOKE INSERT, UPDATE, DELETE ON ${s}.${quoted(MIGRATIONS_TABLE)} FROM ${role}`);
  for (const [reader, tables] of Object.entries(access.readers)) {
    if (tables.length === 0) continue;
    await client.query(`GRANT USAGE ON SCHEMA ${s} TO ${quoted(reader)}`);
    for (const shared of tables) {
      const [table, columns] = typeof shared === 'string' ? [shared, ''] : [shared.table, `(${shared.columns.map(quoted).join(', ')})`];
      await client
        .query(`GRANT SELECT ${columns} ON ${s}.${quoted(table)} TO ${quoted(reader)}`)
        .catch((error: Error & { code?: string }) => {
          // 42P01 undefined_table, 42703 undefined_column: a declaration the migrations do not match
          if (error.code !== '42P01' && error.code !== '42703') throw error;
          throw new Error(`${schema}.${table} is declared readable by ${reader} but ${error.message}`);
        });
    }
  }
}

/**
 * Before Postgres 15 every role could create objects in schema `public` (an upgraded cluster keeps
 * that): a service role could then plant a table or function others resolve by search_path.
 */
export async function revokePublicCreate(client: ClientBase): Promise<void> {
  const { rows } = await client.query<{ open: boolean }>(
    `SELECT CASE WHEN to_regnamespace('public') IS NULL THEN false ELSE has_schema_privilege('public', 'public', 'CREATE') END AS open`,
  );
  if (rows[0]?.open) await client.query('REVOKE CREATE ON SCHEMA public FROM PUBLIC');
}
