import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { SERVICE_ENV } from '@vulnscan/service-runtime';
import { SecurityStatusEnv } from '../env';

/** The reason a `queued` status carries while its scan request waits for the tenant's rate. */
export const RATE_LIMITED = 'rate_limited';

/** A deferred request is asked again this long after the window ends at most (replicas and tenants spread out). */
const JITTER_MS = 5000;

export type RateDecision = { readonly allowed: true } | { readonly allowed: false; readonly retryAt: Date; readonly message: string };

/**
 * CACHE_SCAN_RATE_PER_MINUTE: how many cache-triggered scans one tenant may request per minute.
 * Pulls through the cache are cheap for whoever pulls and a scan is not, so a tenant pulling
 * thousands of images would otherwise fill the scan queue for everyone. Counted in Postgres per
 * tenant and calendar minute, in the transaction that requests the scan (the tenant's row lock
 * orders replicas), so every replica shares one count and a rolled-back request counts nothing.
 */
@Injectable()
export class CacheScanRate {
  constructor(@Inject(SERVICE_ENV) private readonly env: SecurityStatusEnv) {}

  async take(manager: EntityManager, tenantId: string): Promise<RateDecision> {
    const limit = this.env.CACHE_SCAN_RATE_PER_MINUTE;
    if (limit === 0) return { allowed: true };
    const [row] = (await manager.query(
      `INSERT INTO status.cache_scan_rates AS r (tenant_id, window_start, requested) VALUES ($1, date_trunc('minute', now()), 1)
       ON CONFLICT (tenant_id) DO UPDATE SET
         requested = CASE WHEN r.window_start < date_trunc('minute', now()) THEN 1 ELSE r.requested + 1 END,
         window_start = date_trunc('minute', now())
       RETURNING requested, window_start + interval '1 minute' AS window_end`,
      [tenantId],
    )) as { requested: number; window_end: Date }[];
    if (!row || row.requested <= limit) return { allowed: true };
    // The refused request does not count against the next minute.
    await manager.query(`UPDATE status.cache_scan_rates SET requested = requested - 1 WHERE tenant_id = $1`, [tenantId]);
    return {
      allowed: false,
      retryAt: new Date(row.window_end.getTime() + Math.floor(Math.random() * JITTER_MS)),
      message: `this tenant's cache scans are limited to ${limit} per minute (CACHE_SCAN_RATE_PER_MINUTE); the scan is requested once the limit allows`,
    };
  }
}
