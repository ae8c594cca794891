import { counter } from '@vulnscan/observability';

/** Why a request under /api got no principal: no key, a key that is not valid, or its address over the failure limit. */
export type UnauthenticatedReason = 'missing_key' | 'invalid_key' | 'too_many_failures';

/** Which limit refused a request. */
export type LimitName = 'api_key' | 'auth_failures';

export const LimitMetrics = {
  /** Counted instead of written to the audit log, so a flood costs no rows. */
  unauthenticated: () =>
    counter(
      'vulnscan_gateway_unauthenticated_requests_total',
      'API requests answered without a valid key (401, or 429 for an address over its failure limit), by reason',
      ['reason'],
    ),
  refused: () =>
    counter('vulnscan_gateway_rate_limited_requests_total', 'API requests refused with 429 by a gateway limit, by limit', ['limit']),
  storeErrors: () =>
    counter(
      'vulnscan_gateway_rate_limit_errors_total',
      'Rate-limit counts that could not be read or written (the request was let through)',
      [],
    ),
};
