import { IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUrl, Matches, Max, Min } from 'class-validator';
import { WithheldFromErrors } from './secret';
import { ToBool, ToInt } from './transforms';

/** Variables every service reads. Each app's env class extends this one. */
export class BaseEnv {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV = 'development';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /**
   * PostgreSQL connection URL the service runs with: its own role (`vulnscan_<service>`), which
   * writes only this service's schema. Its password, when the URL has one, is set on the role by
   * the migration.
   */
  @Matches(/^postgres(ql)?:\/\//, { message: 'must be a postgres:// URL' })
  @WithheldFromErrors()
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/vulnscan';

  /**
   * Privileged connection the migrations run with (the same database as DATABASE_URL): it creates
   * the database when missing, the schema, the tables, the service's role and the grants, so it
   * needs CREATEROLE and owns what it creates. Defaults to DATABASE_URL.
   */
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\//, { message: 'must be a postgres:// URL' })
  DATABASE_MIGRATION_URL?: string;

  @ToInt()
  @IsInt()
  @Min(1)
  @Max(200)
  DATABASE_POOL_SIZE = 10;

  @Matches(/^amqps?:\/\//, { message: 'must be an amqp:// URL' })
  @WithheldFromErrors()
  AMQP_URL = 'amqp://guest:guest@127.0.0.1:5672';

  /** Prefix of every exchange and queue name (isolates deployments sharing a broker). */
  @Matches(/^[a-z][a-z0-9-]{0,40}$/, { message: 'must be lowercase letters, digits and dashes' })
  AMQP_PREFIX = 'vulnscan';

  @ToInt()
  @IsInt()
  @Min(1)
  @Max(50)
  MESSAGE_MAX_ATTEMPTS = 5;

  /** Run this service's migrations at start (a Kubernetes Job runs `migrate` instead). */
  @ToBool()
  @IsBoolean()
  MIGRATE_ON_START = true;

  /** Relay this service's outbox to the broker (off only to hold events back, e.g. in tests). */
  @ToBool()
  @IsBoolean()
  OUTBOX_RELAY_ENABLED = true;

  /** OTLP/HTTP traces endpoint, e.g. http://otel-collector:4318; traces propagate without it. */
  @IsOptional()
  @IsUrl({ require_tld: false })
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;

  @IsOptional()
  @IsString()
  INSTANCE_ID?: string;

  /**
   * Health answers `degraded` while the event loop stalled longer than this within the last five
   * seconds (a blocked loop answers nobody: requests, probes and consumers all wait).
   */
  @ToInt()
  @IsInt()
  @Min(10)
  @Max(600000)
  EVENT_LOOP_LAG_THRESHOLD_MS = 1000;
}
