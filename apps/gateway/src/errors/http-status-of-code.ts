import {
  ApiErrorCode,
  CacheErrorCode,
  GatewayErrorCode,
  MessagingErrorCode,
  ScanErrorCode,
  SchedulerErrorCode,
  StatusErrorCode,
  WorkerErrorCode,
} from '@vulnscan/contracts';

/**
 * The one place an error code becomes an HTTP status, for the gateway's own errors and for the
 * codes owner services reject commands with. Owners say what went wrong; this says what it means
 * over HTTP. Several enums share a value (`not_found`, `credentials_disabled`, ...): a value has one
 * entry, so it means the same status whoever answers it. `satisfies` fails the build when a code of
 * any enum has no status.
 */
export const HTTP_STATUS_OF_CODE = {
  // The request itself is wrong.
  [GatewayErrorCode.InvalidRequest]: 400,
  [GatewayErrorCode.InvalidCursor]: 400,
  [GatewayErrorCode.InvalidReference]: 400,
  [GatewayErrorCode.InvalidRepository]: 400,
  [GatewayErrorCode.InvalidDigest]: 400,
  [GatewayErrorCode.InvalidTarget]: 400,
  [GatewayErrorCode.InvalidSchedule]: 400,
  [GatewayErrorCode.RepositoryRequired]: 400,
  [GatewayErrorCode.ScanOfAnotherImage]: 400,
  [SchedulerErrorCode.InvalidFilter]: 400,
  [CacheErrorCode.ValidationFailed]: 400,
  [StatusErrorCode.InvalidWebhookUrl]: 400,
  [MessagingErrorCode.InvalidPayload]: 400,
  // A host the outbound policy refuses, or that does not resolve, named when registering credentials,
  // upstreams or webhooks. (When a schedule's target cannot be listed, the scheduler answers target_unavailable.)
  [ScanErrorCode.HostNotAllowed]: 400,
  [ScanErrorCode.Unreachable]: 400,
  [StatusErrorCode.HostUnresolvable]: 400,

  [GatewayErrorCode.Unauthorized]: 401,
  [GatewayErrorCode.Forbidden]: 403,

  [GatewayErrorCode.NotFound]: 404,
  [GatewayErrorCode.ScanNotFound]: 404,
  [GatewayErrorCode.ReportNotFound]: 404,
  [GatewayErrorCode.SbomNotFound]: 404,
  [GatewayErrorCode.ManifestNotFound]: 404,
  [GatewayErrorCode.WebhookNotFound]: 404,
  [GatewayErrorCode.TenantNotFound]: 404,
  [MessagingErrorCode.TenantDeleted]: 404,
  [GatewayErrorCode.ApiKeyNotFound]: 404,
  [GatewayErrorCode.DeadLetterNotFound]: 404,
  [WorkerErrorCode.RegistryCredentialNotFound]: 404,
  [CacheErrorCode.UpstreamNotFound]: 404,

  // The request conflicts with the current state.
  [GatewayErrorCode.ScanFinished]: 409,
  [GatewayErrorCode.ScanNotCompleted]: 409,
  [GatewayErrorCode.TenantExists]: 409,
  [GatewayErrorCode.TenantProtected]: 409,
  [GatewayErrorCode.TenantRecentlyDeleted]: 409,
  [CacheErrorCode.UpstreamConflict]: 409,
  [CacheErrorCode.UpstreamLimit]: 409,
  [StatusErrorCode.WebhookLimitReached]: 409,
  [SchedulerErrorCode.ScheduleLimitReached]: 409,

  // Well-formed, but nothing to do with it.
  [SchedulerErrorCode.NoImages]: 422,
  [SchedulerErrorCode.TooManyImages]: 422,

  // GatewayErrorCode.RateLimited shares this value (the door's own limits).
  [SchedulerErrorCode.RateLimited]: 429,

  [MessagingErrorCode.Internal]: 500,
  [ScanErrorCode.WorkerCrashed]: 500,
  [MessagingErrorCode.NoHandler]: 501,

  // Something behind the gateway failed: a registry, a broker, an owner's reply.
  [SchedulerErrorCode.TargetUnavailable]: 502,
  [MessagingErrorCode.InvalidReply]: 502,
  [ScanErrorCode.DigestMismatch]: 502,
  [ScanErrorCode.ManifestInvalid]: 502,
  [ScanErrorCode.UnsupportedMediaType]: 502,
  [ScanErrorCode.PlatformNotFound]: 502,
  [ScanErrorCode.LayerTooLarge]: 502,
  [ScanErrorCode.LayerCorrupt]: 502,
  [ScanErrorCode.AnalysisLimitExceeded]: 502,
  [ScanErrorCode.LayersUnavailable]: 502,

  // Not available now; answered with Retry-After.
  [WorkerErrorCode.CredentialsDisabled]: 503,
  [StatusErrorCode.WebhooksDisabled]: 503,
  [GatewayErrorCode.OwnerUnavailable]: 503,
  [GatewayErrorCode.ServiceUnavailable]: 503,
  [GatewayErrorCode.BrokerUnavailable]: 503,
  [MessagingErrorCode.Unroutable]: 503,
  [MessagingErrorCode.ConnectionLost]: 503,
  [MessagingErrorCode.ShuttingDown]: 503,

  [WorkerErrorCode.Timeout]: 504,
} as const satisfies Record<ApiErrorCode, number>;

/**
 * An owner refused the command on purpose, with a code this gateway does not know (a newer owner
 * deployed first): the request is what the owner objected to, so it is a client error.
 */
export const UNKNOWN_OWNER_CODE_STATUS = 400;

export function isKnownErrorCode(code: string): code is ApiErrorCode {
  return Object.prototype.hasOwnProperty.call(HTTP_STATUS_OF_CODE, code);
}

/** The HTTP status of `code`; UNKNOWN_OWNER_CODE_STATUS for a code no enum has (yet). */
export function httpStatusOf(code: string): number {
  return isKnownErrorCode(code) ? HTTP_STATUS_OF_CODE[code] : UNKNOWN_OWNER_CODE_STATUS;
}
