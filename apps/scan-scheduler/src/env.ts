import { IsInt, Max, Min } from 'class-validator';
import { BaseEnv, ToInt } from '@vulnscan/config';

export class SchedulerEnv extends BaseEnv {
  /** Overall deadline of a scan, all attempts included. */
  @ToInt() @IsInt() @Min(10) @Max(86400)
  SCAN_TIMEOUT_SECONDS = 1800;

  /** An attempt with no result after this long is given up and retried. */
  @ToInt() @IsInt() @Min(5) @Max(86400)
  ATTEMPT_TIMEOUT_SECONDS = 600;

  /** Attempts per scan for retryable registry errors (rate_limited, unreachable) and lost attempts. */
  @ToInt() @IsInt() @Min(1) @Max(20)
  SCAN_MAX_ATTEMPTS = 4;

  @ToInt() @IsInt() @Min(0) @Max(3600)
  SCAN_RETRY_BASE_SECONDS = 5;

  /** Jobs handed to workers and not finished yet, overall and per registry host. */
  @ToInt() @IsInt() @Min(1) @Max(100000)
  MAX_IN_FLIGHT = 200;

  @ToInt() @IsInt() @Min(1) @Max(100000)
  MAX_IN_FLIGHT_PER_REGISTRY = 50;

  /** Deliveries of one job before the work queue gives up on it (it keeps crashing workers). */
  @ToInt() @IsInt() @Min(1) @Max(100)
  WORK_QUEUE_DELIVERY_LIMIT = 3;

  @ToInt() @IsInt() @Min(50) @Max(60000)
  DISPATCH_POLL_MS = 1000;

  @ToInt() @IsInt() @Min(100) @Max(600000)
  SWEEP_INTERVAL_MS = 2000;
}
