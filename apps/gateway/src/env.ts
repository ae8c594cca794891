import { Transform } from 'class-transformer';
import { IsInt, IsNumber, IsOptional, IsString, Max, Min, Validate } from 'class-validator';
import { BaseEnv, IsSecret, ToInt } from '@vulnscan/config';
import { TrustProxySetting } from './limits/trust-proxy';
import { HealthTargetList } from './operations/health-targets';

export class GatewayEnv extends BaseEnv {
  /**
   * Ensures an operator key (`platform:admin`) with this value for tenant `default` at start; a key
   * revoked through the API stays revoked.
   */
  @IsOptional()
  @IsSecret()
  BOOTSTRAP_API_KEY?: string;

  /** How long the API waits for the scheduler to answer a command before a 503. */
  @ToInt()
  @IsInt()
  @Min(100)
  @Max(60000)
  COMMAND_TIMEOUT_MS = 5000;

  /** A verified API key is trusted this long before it is looked up again (revocation delay). */
  @ToInt()
  @IsInt()
  @Min(0)
  @Max(3600)
  API_KEY_CACHE_SECONDS = 10;

  /**
   * How long after a deletion the services drop a tenant's late messages (TenantDeleted's
   * quietUntil); creating the id again is refused until then.
   */
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(86400)
  TENANT_RECREATE_DELAY_SECONDS = 300;

  /**
   * Services GET /api/v1/health probes, comma-separated `<name>=<readiness URL>`, or `none`. The
   * scheduler and the scanner-workers are judged from the scheduler's heartbeats instead.
   */
  @IsString()
  @Validate(HealthTargetList)
  HEALTH_CHECK_URLS = 'blob-cache-worker=http://127.0.0.1:5001/health/ready,security-status=http://127.0.0.1:8083/health/ready';

  /** A probed service that has not answered within this long counts as down. */
  @ToInt()
  @IsInt()
  @Min(50)
  @Max(30000)
  HEALTH_CHECK_TIMEOUT_MS = 1000;

  /** More queued scans than this, not yet handed to a worker, make the platform `degraded`. */
  @ToInt()
  @IsInt()
  @Min(0)
  HEALTH_MAX_QUEUE_DEPTH = 1000;

  /** A larger failed share of the scans finished in the last 15 minutes (at least 10 of them) makes it `degraded`. */
  @Transform(({ value }) => (typeof value === 'string' && /^\s*\d*\.?\d+\s*$/.test(value) ? Number(value) : value))
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  HEALTH_MAX_ERROR_RATE = 0.5;

  /**
   * Requests one API key may make per minute, across all gateway replicas; more are answered 429.
   * 0: no limit. The default, 100 a second on average, leaves room for a pipeline polling several
   * scans ten times a second, and still stops a runaway loop.
   */
  @ToInt()
  @IsInt()
  @Min(0)
  @Max(1_000_000_000)
  API_RATE_LIMIT_PER_MINUTE = 6000;

  /** Failed authentications (invalid keys) one client address may make per minute before it gets 429s, unlooked-up. 0: no limit. */
  @ToInt()
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  AUTH_FAILURE_LIMIT_PER_MINUTE = 60;

  /**
   * Which X-Forwarded-For to believe for the client address (Express `trust proxy`): `false` (the
   * socket's peer), a hop count, or the proxies' addresses, CIDR ranges or `loopback`.
   */
  @IsString()
  @Validate(TrustProxySetting)
  TRUST_PROXY = 'false';
}
