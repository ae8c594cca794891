import type { BaseEnv } from '@vulnscan/config';
import type { QueueSpec } from '@vulnscan/messaging';
import type { SharedTable } from '@vulnscan/persistence';

/** The platform's services; each has its own schema and its own database role. */
export const SERVICE_NAMES = ['gateway', 'scan-scheduler', 'scanner-worker', 'blob-cache-worker', 'security-status'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

/** Reader service → tables and views of the owner's schema it may SELECT (all columns, or the ones listed). */
export type ReadableBy = Partial<Record<ServiceName, readonly SharedTable[]>>;

/** What makes one service different from another; everything else is wired the same way. */
export interface ServiceDefinition<E extends BaseEnv = BaseEnv> {
  /** Service name: logs, metrics, queue names, connection names. */
  name: ServiceName;
  /** Its own Postgres schema (tables, outbox, inbox, dead letters, migrations table). */
  schema: string;
  env: new () => E;
  /** Port of its HTTP server (API or just health and metrics) unless PORT says otherwise. */
  defaultPort: number;
  /** Its own TypeORM entities only (tables of its schema); other services' data is read through their readers. */
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: Function[];
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: Function[];
  /**
   * What other services read of its schema through its read-only readers (plain SQL), by reader:
   * its migration grants their roles exactly these SELECTs, and they can write nothing here.
   */
  readableBy?: ReadableBy;
  /** Shared work queues this service consumes (competing consumers across replicas). */
  queues?: (env: E) => QueueSpec[];
  /** Set up the HTTP app further (OpenAPI, body limits) before it listens. */
  configureHttp?: (app: import('@nestjs/common').INestApplication, env: E) => void | Promise<void>;
}

export const SERVICE_ENV = Symbol('SERVICE_ENV');
export const SERVICE_DEFINITION = Symbol('SERVICE_DEFINITION');
