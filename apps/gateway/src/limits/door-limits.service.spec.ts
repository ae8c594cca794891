import type { DataSource } from 'typeorm';
import { register } from 'prom-client';
import { GatewayEnv } from '../env';
import { DoorLimits } from './door-limits.service';

const principal = { keyId: '0193a0e0-0000-7000-8000-000000000001', tenantId: 'team-a', scopes: [] };

/** A data source answering every rate-window query with one row, or failing as a database away does. */
function database(answer: { hits: number; seconds_left: number } | Error): DataSource {
  return { query: () => (answer instanceof Error ? Promise.reject(answer) : Promise.resolve([answer])) } as unknown as DataSource;
}

function limits(answer: { hits: number; seconds_left: number } | Error, perKey = 10, failures = 3): DoorLimits {
  return new DoorLimits(
    database(answer),
    Object.assign(new GatewayEnv(), { API_RATE_LIMIT_PER_MINUTE: perKey, AUTH_FAILURE_LIMIT_PER_MINUTE: failures }),
  );
}

async function metricValue(name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = await register.getSingleMetric(name)?.get();
  const match = metric?.values.find((value) => Object.entries(labels).every(([label, wanted]) => value.labels[label] === wanted));
  return match?.value ?? 0;
}

describe('DoorLimits', () => {
  it('answers a key over its limit 429 rate_limited with Retry-After, in the API error format', async () => {
    const refusal = await limits({ hits: 11, seconds_left: 12.2 })
      .admitKey(principal)
      .catch((error: unknown) => error);
    expect(refusal).toMatchObject({
      statusCode: 429,
      code: 'rate_limited',
      extra: { retry_after_seconds: 13 },
      headers: { 'Retry-After': '13' },
    });
    expect((refusal as Error & { detail: string }).detail).toMatch(/limit of 10 requests per minute \(API_RATE_LIMIT_PER_MINUTE\)/);
  });

  it('admits a key within its limit', async () => {
    await expect(limits({ hits: 10, seconds_left: 30 }).admitKey(principal)).resolves.toBeUndefined();
  });

  it('refuses the lookup for an address at its failure limit, and counts it as too_many_failures', async () => {
    const before = await metricValue('vulnscan_gateway_unauthenticated_requests_total', { reason: 'too_many_failures' });
    await expect(limits({ hits: 3, seconds_left: 5 }).beforeKeyLookup('203.0.113.7')).rejects.toMatchObject({
      statusCode: 429,
      headers: { 'Retry-After': '5' },
    });
    expect(await metricValue('vulnscan_gateway_unauthenticated_requests_total', { reason: 'too_many_failures' })).toBe(before + 1);
    await expect(limits({ hits: 2, seconds_left: 5 }).beforeKeyLookup('203.0.113.7')).resolves.toBeUndefined();
  });

  it('answers 429 from the failure that takes an address over its limit; a missing key is only counted', async () => {
    await expect(limits({ hits: 3, seconds_left: 5 }).authenticationFailed('203.0.113.7', 'invalid_key')).resolves.toBeUndefined();
    await expect(limits({ hits: 4, seconds_left: 5 }).authenticationFailed('203.0.113.7', 'invalid_key')).rejects.toMatchObject({
      statusCode: 429,
    });
    const before = await metricValue('vulnscan_gateway_unauthenticated_requests_total', { reason: 'missing_key' });
    await expect(limits(new Error('never asked')).authenticationFailed('203.0.113.7', 'missing_key')).resolves.toBeUndefined();
    expect(await metricValue('vulnscan_gateway_unauthenticated_requests_total', { reason: 'missing_key' })).toBe(before + 1);
  });

  it('lets requests through when the counts cannot be reached, and counts that', async () => {
    const before = await metricValue('vulnscan_gateway_rate_limit_errors_total');
    const unreachable = limits(new Error('connect ECONNREFUSED 127.0.0.1:5432'));
    await expect(unreachable.admitKey(principal)).resolves.toBeUndefined();
    await expect(unreachable.beforeKeyLookup('203.0.113.7')).resolves.toBeUndefined();
    expect(await metricValue('vulnscan_gateway_rate_limit_errors_total')).toBe(before + 2);
  });
});
