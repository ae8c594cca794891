import { IsBoolean, IsInt, IsOptional, Max, Min } from 'class-validator';
import { BaseEnv, ToBool, ToInt, ToSeconds } from '@vulnscan/config';
import { IsRegExpPattern, MAX_SCHEDULE_INTERVAL_SECONDS } from '@vulnscan/contracts';

/** Durations accept `90`, `90s`, `30m`, `6h`, `7d`; a bare number is seconds. */
export class SchedulerEnv extends BaseEnv {
  /** Schedules create scans only while this is true; API, bulk and cache scans are not affected. */
  @ToBool()
  @IsBoolean()
  SCAN_ENABLED = true;

  /** The interval of a schedule created with neither `interval` nor `cron`. */
  @ToSeconds()
  @IsInt()
  @Min(1)
  @Max(MAX_SCHEDULE_INTERVAL_SECONDS)
  SCAN_INTERVAL = 6 * 3600;

  /** References matching this regex are never scanned by a schedule (e.g. `:(latest|.*-rc\d*)$`). */
  @IsOptional()
  @IsRegExpPattern()
  SCAN_SKIP_PATTERN?: string;

  /** Overall deadline of one image's scan, all attempts included. */
  @ToSeconds()
  @IsInt()
  @Min(10)
  @Max(86400)
  SCAN_TIMEOUT_PER_IMAGE = 1800;

  /** An attempt with no result after this long is given up and retried. */
  @ToSeconds()
  @IsInt()
  @Min(5)
  @Max(86400)
  ATTEMPT_TIMEOUT = 600;

  /** New attempts after a retryable failure (registry 429/5xx, unreachable, a lost attempt). */
  @ToInt()
  @IsInt()
  @Min(0)
  @Max(20)
  SCAN_MAX_RETRIES = 3;

  /** Base of the exponential backoff between attempts (full jitter; a Retry-After wins when longer). */
  @ToSeconds()
  @IsInt()
  @Min(0)
  @Max(3600)
  SCAN_RETRY_BASE = 5;

  /** Jobs handed to workers and not finished yet, overall and per registry host. */
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(100000)
  MAX_IN_FLIGHT = 200;

  @ToInt()
  @IsInt()
  @Min(1)
  @Max(100000)
  MAX_IN_FLIGHT_PER_REGISTRY = 50;

  /** Deliveries of one job before the work queue gives up on it (it keeps crashing workers). */
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(100)
  WORK_QUEUE_DELIVERY_LIMIT = 3;

  @ToInt()
  @IsInt()
  @Min(50)
  @Max(60000)
  DISPATCH_POLL_MS = 1000;

  @ToInt()
  @IsInt()
  @Min(100)
  @Max(600000)
  SWEEP_INTERVAL_MS = 2000;

  /** How often due schedules are looked for. */
  @ToInt()
  @IsInt()
  @Min(100)
  @Max(600000)
  SCHEDULE_POLL_MS = 1000;

  /** Most images one schedule run or one bulk request may scan. */
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(1000000)
  BATCH_MAX_IMAGES = 10000;

  /** A tenant's next bulk scan is refused (429) until this long after its previous one. */
  @ToSeconds()
  @IsInt()
  @Min(0)
  @Max(86400)
  BULK_COOLDOWN = 60;

  /** The shortest interval a schedule may have; a cron expression may not fire more often either. */
  @ToSeconds()
  @IsInt()
  @Min(1)
  @Max(MAX_SCHEDULE_INTERVAL_SECONDS)
  SCHEDULE_MIN_INTERVAL_SECONDS = 300;

  /** Schedules one tenant may have; creating another is refused (409 schedule_limit_reached). */
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(100000)
  SCHEDULES_MAX_PER_TENANT = 100;

  /** A schedule can be triggered again only this long after its last run, planned or triggered (429 otherwise). */
  @ToSeconds()
  @IsInt()
  @Min(0)
  @Max(86400)
  SCHEDULE_TRIGGER_COOLDOWN_SECONDS = 60;

  /** Finished scans (with attempts, reports and findings) older than this are deleted; 0 keeps everything. */
  @ToInt()
  @IsInt()
  @Min(0)
  @Max(36500)
  RETENTION_DAYS = 90;

  @ToSeconds()
  @IsInt()
  @Min(1)
  @Max(7 * 86400)
  RETENTION_INTERVAL = 3600;

  /** Scans deleted per transaction by retention. */
  @ToInt()
  @IsInt()
  @Min(1)
  @Max(100000)
  RETENTION_BATCH_SIZE = 1000;
}
