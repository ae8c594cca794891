import { GatewayErrorCode } from '@vulnscan/contracts';
import { ApiError } from '@vulnscan/service-runtime';
import { httpStatusOf } from './http-status-of-code';

export interface ApiErrorExtra {
  /** Request fields the error is about. A code about a field the client sent is that request's fault: 400. */
  fields?: string[];
  [member: string]: unknown;
}

/**
 * A gateway error from its code: the status comes from the code's entry in HTTP_STATUS_OF_CODE,
 * except that an error about request fields is a 400 whatever it names (`tenant_not_found` is a
 * 404 on /tenants/{id} but a 400 when the body's tenant_id names no tenant).
 */
export function apiError(
  code: GatewayErrorCode,
  detail: string,
  extra: ApiErrorExtra = {},
  headers: Record<string, string> = {},
): ApiError {
  const status = extra.fields !== undefined ? 400 : httpStatusOf(code);
  return new ApiError(status, code, detail, extra, headers);
}
