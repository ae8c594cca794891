/** Why the scan-scheduler refuses a command (schedules, bulk scans, scans). The values are API error codes: never change one. */
export enum SchedulerErrorCode {
  NotFound = 'not_found',
  InvalidReference = 'invalid_reference',
  InvalidSchedule = 'invalid_schedule',
  InvalidFilter = 'invalid_filter',
  NoImages = 'no_images',
  TooManyImages = 'too_many_images',
  /** One bulk scan per cooldown per tenant, one schedule trigger per cooldown; the rejection carries retryAfterSeconds. */
  RateLimited = 'rate_limited',
  /** The tenant has SCHEDULES_MAX_PER_TENANT schedules already. */
  ScheduleLimitReached = 'schedule_limit_reached',
  /** A triggered schedule whose target (repository, catalog) could not be listed. */
  TargetUnavailable = 'target_unavailable',
}
