/** The gateway's own API error codes (beside those its owners answer commands with). Never change a value. */
export enum GatewayErrorCode {
  InvalidRequest = 'invalid_request',
  InvalidCursor = 'invalid_cursor',
  InvalidReference = 'invalid_reference',
  InvalidRepository = 'invalid_repository',
  InvalidDigest = 'invalid_digest',
  InvalidTarget = 'invalid_target',
  InvalidSchedule = 'invalid_schedule',
  RepositoryRequired = 'repository_required',
  ScanOfAnotherImage = 'scan_of_another_image',
  Unauthorized = 'unauthorized',
  Forbidden = 'forbidden',
  NotFound = 'not_found',
  ScanNotFound = 'scan_not_found',
  ReportNotFound = 'report_not_found',
  SbomNotFound = 'sbom_not_found',
  ManifestNotFound = 'manifest_not_found',
  WebhookNotFound = 'webhook_not_found',
  TenantNotFound = 'tenant_not_found',
  ApiKeyNotFound = 'api_key_not_found',
  DeadLetterNotFound = 'dead_letter_not_found',
  ScanFinished = 'scan_finished',
  ScanNotCompleted = 'scan_not_completed',
  TenantExists = 'tenant_exists',
  TenantProtected = 'tenant_protected',
  /** The id of a tenant deleted moments ago: its services still drop its late messages (TENANT_RECREATE_DELAY_SECONDS). */
  TenantRecentlyDeleted = 'tenant_recently_deleted',
  /** An owner service did not answer a command in time. */
  OwnerUnavailable = 'owner_unavailable',
  /** The service holding a dead letter did not answer its replay in time. */
  ServiceUnavailable = 'service_unavailable',
  BrokerUnavailable = 'broker_unavailable',
  /** Over a request limit (API_RATE_LIMIT_PER_MINUTE, AUTH_FAILURE_LIMIT_PER_MINUTE); answered with Retry-After. */
  RateLimited = 'rate_limited',
}
