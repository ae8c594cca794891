import type { BaseEnv } from '@vulnscan/config';
import { DEAD_LETTERS_TABLE } from '@vulnscan/messaging';
import {
  connectionPassword,
  connectionUser,
  redactUrl,
  serviceRoleName,
  type SchemaAccess,
  type SharedTable,
  type ServiceMigrationOptions,
} from '@vulnscan/persistence';
import { dataSourceOptionsFor } from './service-runtime.module';
import type { ReadableBy, ServiceDefinition } from './service-definition';

type Definition = Pick<ServiceDefinition, 'name' | 'schema' | 'entities' | 'migrations' | 'readableBy'>;

/** Read by the gateway in every schema: its admin API lists all dead letters (the owner replays them). */
const PLATFORM_READS: ReadableBy = { gateway: [DEAD_LETTERS_TABLE] };

/** The service's role, its password from DATABASE_URL, and the roles that may read its tables. */
export function schemaAccessFor(definition: Definition, env: BaseEnv): SchemaAccess {
  const role = serviceRoleName(definition.name);
  const readers: Record<string, SharedTable[]> = {};
  for (const reads of [PLATFORM_READS, definition.readableBy ?? {}]) {
    for (const [service, tables] of Object.entries(reads)) {
      if (service === definition.name || !tables) continue;
      const reader = serviceRoleName(service);
      readers[reader] = [...(readers[reader] ?? []), ...tables];
    }
  }
  const ownUrl = connectionUser(env.DATABASE_URL) === role;
  return { role, password: ownUrl ? connectionPassword(env.DATABASE_URL) : undefined, readers };
}

/** Migrations run over DATABASE_MIGRATION_URL (DATABASE_URL when unset) and end with the grants. */
export function migrationOptionsFor(definition: Definition, env: BaseEnv): ServiceMigrationOptions {
  const url = env.DATABASE_MIGRATION_URL ?? env.DATABASE_URL;
  const role = serviceRoleName(definition.name);
  if (connectionUser(url) === role) {
    throw new Error(
      `Migrations would run as ${role}, the service's own role, which may neither create tables nor manage roles: ` +
        `set DATABASE_MIGRATION_URL to a role with CREATEROLE that owns the schema (or run the migrate Job and MIGRATE_ON_START=false).`,
    );
  }
  return { ...dataSourceOptionsFor(definition, env, url), access: schemaAccessFor(definition, env) };
}

/** Said once at start: a service running as any other role is not confined to its own schema. */
export function confinementWarning(definition: Pick<ServiceDefinition, 'name'>, env: BaseEnv): string | undefined {
  const role = serviceRoleName(definition.name);
  const user = connectionUser(env.DATABASE_URL);
  if (user === role) return undefined;
  return (
    `DATABASE_URL (${redactUrl(env.DATABASE_URL)}) connects as ${user ?? 'the OS user'}, not as ${role}: ` +
    `this service can write what that role can; give it its own role (see "Database roles" in the README).`
  );
}
