import { IsBoolean, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { BaseEnv, CommaList, IsSecret, ToBool, ToInt } from '@vulnscan/config';

export class SecurityStatusEnv extends BaseEnv {
  /**
   * When every blob of a cached manifest is placed (ManifestComplete), reset its status and scan
   * it at once. Off, a manifest whose first scan found its layers missing stays `unsupported`.
   */
  @ToBool()
  @IsBoolean()
  PROXY_CACHE_AUTO_RESET_SECURITY_STATUS = true;

  /** A scan the scheduler failed for good is requested again after this delay… */
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(7 * 86400)
  STATUS_RETRY_DELAY_SECONDS = 300;

  /** …up to this many scans per manifest, then the status is `retries_exhausted`. */
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(100)
  STATUS_MAX_SCANS = 3;

  @ToInt()
  @IsInt()
  @Min(100)
  @Max(600000)
  STATUS_RETRY_POLL_MS = 5000;

  /**
   * Cache-triggered scans (ManifestCached, ManifestComplete, their retries) one tenant may request
   * per minute; more wait as `queued` with reason `rate_limited` and are requested in a later
   * minute. 0: no limit.
   */
  @ToInt()
  @IsInt()
  @Min(0)
  @Max(100_000)
  CACHE_SCAN_RATE_PER_MINUTE = 60;

  /**
   * Key for webhook signing secrets at rest (32 bytes, hex or base64). Without it webhooks cannot
   * be created (the API answers 503) and none are delivered.
   */
  @IsOptional()
  @Matches(/^(?:[0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=)$/, { message: 'must be 32 bytes as 64 hex characters or base64' })
  @IsSecret()
  WEBHOOK_ENCRYPTION_KEY?: string;

  /** Private or loopback webhook hosts (host, host:port or CIDR, comma-separated) deliveries may reach. */
  @CommaList()
  @IsString({ each: true })
  WEBHOOK_ALLOWED_HOSTS: string[] = [];

  /** One delivery attempt, connect to the end of the answer's first bytes. */
  @ToInt()
  @IsInt()
  @Min(100)
  @Max(120000)
  WEBHOOK_TIMEOUT_MS = 10000;

  /** Attempts per delivery, the first included; then it is `failed`. */
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(50)
  WEBHOOK_MAX_ATTEMPTS = 10;

  /** Delay before the second attempt; it doubles each time (with jitter)… */
  @ToInt()
  @IsInt()
  @Min(10)
  @Max(86400000)
  WEBHOOK_RETRY_BASE_MS = 10000;

  /** …up to this. */
  @ToInt()
  @IsInt()
  @Min(10)
  @Max(86400000)
  WEBHOOK_RETRY_MAX_MS = 3600000;

  /** How often due deliveries are looked for. */
  @ToInt()
  @IsInt()
  @Min(50)
  @Max(600000)
  WEBHOOK_POLL_MS = 1000;

  /** Deliveries one replica sends at once. */
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(200)
  WEBHOOK_CONCURRENCY = 10;

  @ToInt()
  @IsInt()
  @Min(1)
  @Max(1000)
  WEBHOOK_MAX_PER_TENANT = 25;

  /** Delivered and failed deliveries are kept this long, then pruned. */
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(3650)
  WEBHOOK_DELIVERY_RETENTION_DAYS = 30;
}
