import { GatewayErrorCode } from '@vulnscan/contracts';
import { CommandFailedError, RequestTimeoutError } from '@vulnscan/messaging';
import { ApiError } from '@vulnscan/service-runtime';
import { apiError } from './api-error';
import { httpStatusOf } from './http-status-of-code';

/** What a client should wait before retrying a 503 nobody gave a figure for. */
const DEFAULT_RETRY_AFTER_SECONDS = 5;

/** An owner's refusal (or the request/reply failure) as the API's answer: same code, the table's status. */
export function commandFailureToApiError(error: CommandFailedError): ApiError {
  const status = httpStatusOf(error.code);
  const retryAfter = error.retryAfterSeconds ?? (status === 503 ? DEFAULT_RETRY_AFTER_SECONDS : undefined);
  return new ApiError(status, error.code, error.message, {}, retryAfter !== undefined ? { 'Retry-After': String(retryAfter) } : {});
}

/**
 * Any error of sending a command, as the API's answer: a refusal keeps its code; no reply in time
 * is `unavailable` (the caller names which code that is for it); anything else means no broker.
 */
export function requestFailureToApiError(error: unknown, timeout: { code: GatewayErrorCode; detail: string }): ApiError {
  if (error instanceof CommandFailedError) return commandFailureToApiError(error);
  const retryAfter = { 'Retry-After': String(DEFAULT_RETRY_AFTER_SECONDS) };
  if (error instanceof RequestTimeoutError) return apiError(timeout.code, timeout.detail, {}, retryAfter);
  return apiError(GatewayErrorCode.BrokerUnavailable, 'The message broker is not reachable; try again.', {}, retryAfter);
}
