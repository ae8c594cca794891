import { ERROR_CODE_ENUMS, GatewayErrorCode } from '@vulnscan/contracts';
import { apiError } from './api-error';
import { HTTP_STATUS_OF_CODE, httpStatusOf, isKnownErrorCode, UNKNOWN_OWNER_CODE_STATUS } from './http-status-of-code';

const everyCode = Object.entries(ERROR_CODE_ENUMS).flatMap(([enumName, values]) =>
  Object.entries(values).map(([member, code]) => [`${enumName}.${member}`, code] as const),
);

describe('HTTP_STATUS_OF_CODE', () => {
  it.each(everyCode)('has a status for %s (%s)', (_, code) => {
    expect(isKnownErrorCode(code)).toBe(true);
    expect(httpStatusOf(code)).toBeGreaterThanOrEqual(400);
    expect(httpStatusOf(code)).toBeLessThan(600);
  });

  it('holds nothing but the enums’ codes', () => {
    expect(new Set(Object.keys(HTTP_STATUS_OF_CODE))).toEqual(new Set(everyCode.map(([, code]) => code)));
  });

  // The statuses the API answered before the table, situation by situation (the e2e suites assert them too).
  it.each([
    ['invalid_reference', 400],
    ['invalid_cursor', 400],
    ['validation_failed', 400],
    ['invalid_webhook_url', 400],
    ['host_not_allowed', 400],
    ['host_unresolvable', 400],
    ['unreachable', 400],
    ['invalid_payload', 400],
    ['unauthorized', 401],
    ['forbidden', 403],
    ['not_found', 404],
    ['scan_not_found', 404],
    ['tenant_not_found', 404],
    ['registry_credential_not_found', 404],
    ['upstream_not_found', 404],
    ['webhook_not_found', 404],
    ['dead_letter_not_found', 404],
    ['scan_finished', 409],
    ['upstream_conflict', 409],
    ['upstream_limit', 409],
    ['webhook_limit_reached', 409],
    ['schedule_limit_reached', 409],
    ['no_images', 422],
    ['too_many_images', 422],
    ['rate_limited', 429],
    ['internal', 500],
    ['no_handler', 501],
    ['target_unavailable', 502],
    ['invalid_reply', 502],
    ['credentials_disabled', 503],
    ['webhooks_disabled', 503],
    ['owner_unavailable', 503],
    ['service_unavailable', 503],
    ['broker_unavailable', 503],
    ['unroutable', 503],
    ['connection_lost', 503],
    ['timeout', 504],
  ])('maps %s to %i', (code, status) => {
    expect(httpStatusOf(code)).toBe(status);
  });

  it('maps a code no enum knows (a newer owner) to the documented default, 400', () => {
    expect(UNKNOWN_OWNER_CODE_STATUS).toBe(400);
    expect(httpStatusOf('brand_new_refusal')).toBe(400);
  });
});

describe('apiError', () => {
  it('derives the status from the code and keeps code, detail, extra and headers', () => {
    const error = apiError(GatewayErrorCode.ScanFinished, 'Scan s is already completed.', { status: 'completed' }, { 'X-A': 'b' });
    expect(error).toMatchObject({
      statusCode: 409,
      code: 'scan_finished',
      detail: 'Scan s is already completed.',
      extra: { status: 'completed' },
      headers: { 'X-A': 'b' },
    });
    expect(error.getStatus()).toBe(409);
  });

  it('answers 400 for an error about request fields, whatever the code names elsewhere', () => {
    expect(apiError(GatewayErrorCode.TenantNotFound, 'Tenant t not found.').statusCode).toBe(404);
    expect(apiError(GatewayErrorCode.TenantNotFound, 'tenant_id: no such tenant', { fields: ['tenant_id'] }).statusCode).toBe(400);
  });
});
