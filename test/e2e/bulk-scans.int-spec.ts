import { join } from 'node:path';
import { fixturesDir, pushImage, retagManifest, startRegistry, TestRegistry } from '@vulnscan/testing';
import { Api } from '../support/api';
import { TestPlatform, waitFor } from '../support/platform';

interface BatchView {
  id: string;
  status: string;
  count: number;
  deduplicated: number;
  counts: Record<string, number>;
}

const PER_REGISTRY_LIMIT = 3;

/** Bulk scans, batches, bounded and fair dispatch, against a real registry and two workers. */
describe('bulk scans', () => {
  let registry: TestRegistry;
  let platform: TestPlatform;
  let admin: Api;
  let references: string[];

  const tenantApi = async (tenant: string): Promise<Api> => {
    expect((await admin.post('/api/v1/tenants', { id: tenant, name: tenant })).status).toBe(201);
    const key = await admin.post<{ key: string }>('/api/v1/api-keys', { tenant_id: tenant, name: `${tenant}-admin`, scopes: ['admin'] });
    return admin.withKey(key.body.key);
  };

  /** The most attempts against the registry in flight (dispatched, not finished) at any one time. */
  const maxInFlight = async (): Promise<number> => {
    const [{ peak }] = await platform.query<{ peak: number }>(
      `WITH attempts AS (
         SELECT a.dispatched_at AS start, coalesce(a.finished_at, now()) AS finish
         FROM scheduler.scan_attempts a JOIN scheduler.scans s ON s.id = a.scan_id
         WHERE s.registry = $1
       )
       SELECT coalesce(max(n), 0)::int AS peak FROM (
         SELECT (SELECT count(*) FROM attempts o WHERE o.start <= a.start AND o.finish > a.start) AS n FROM attempts a
       ) overlapping`,
      [registry.host],
    );
    return peak;
  };

  beforeAll(async () => {
    registry = await startRegistry();
    await pushImage(join(fixturesDir(), 'images/alpine-310.docker.tar.gz'), registry, 'library/alpine:base');
    references = await retagManifest(
      registry,
      'library/alpine',
      'base',
      Array.from({ length: 500 }, (_, i) => `t${String(i).padStart(3, '0')}`),
    );
    platform = new TestPlatform({
      INSECURE_REGISTRIES: `${registry.host}@*`,
      MAX_IN_FLIGHT_PER_REGISTRY: String(PER_REGISTRY_LIMIT),
      DISPATCH_POLL_MS: '200',
      SCAN_CONCURRENCY: '4',
    });
    await platform.start('scan-scheduler');
    admin = new Api((await platform.start('gateway')).url);
    await Promise.all([platform.start('scanner-worker'), platform.start('scanner-worker')]);
  }, 120000);

  afterAll(async () => {
    await platform?.stop();
    await registry?.stop();
  });

  it('scans a bulk of 200 tags with never more than the per-registry limit in flight, and refuses a second bulk in the cooldown', async () => {
    const bulk = await admin.post<{ batch_id: string; count: number }>('/api/v1/scans/bulk', { images: references.slice(0, 200) });
    expect(bulk.status).toBe(202);
    expect(bulk.body.count).toBe(200);

    const again = await admin.post<{ code: string }>('/api/v1/scans/bulk', { images: references.slice(0, 1) });
    expect(again.status).toBe(429);
    expect(again.body.code).toBe('rate_limited');
    const retryAfter = Number(again.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);

    const done = await waitFor(
      async () => {
        const batch = await admin.get<BatchView>(`/api/v1/batches/${bulk.body.batch_id}`);
        return batch.body.status === 'completed' ? batch.body : undefined;
      },
      { timeoutMs: 240000, intervalMs: 1000, what: 'the bulk to finish' },
    );
    expect(done.counts).toEqual({ queued: 0, running: 0, completed: 200, failed: 0, canceled: 0 });
    const peak = await maxInFlight();
    expect(peak).toBeLessThanOrEqual(PER_REGISTRY_LIMIT);
    expect(peak).toBeGreaterThan(1); // the limit is what bounds it, not a lack of workers
    const triggers = await platform.query<{ trigger: string; n: number }>(
      `SELECT trigger, count(*)::int AS n FROM scheduler.scans WHERE batch_id = $1 GROUP BY trigger`,
      [bulk.body.batch_id],
    );
    expect(triggers).toEqual([{ trigger: 'bulk', n: 200 }]);

    // The batch's scans share one created_at (one INSERT, one now()): paging through them must
    // neither skip nor repeat any, which a cursor holding created_at only to the millisecond did.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { items: { scan_id: string }[]; next_cursor: string | null } } = await admin.get(
        `/api/v1/scans?limit=37${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((scan) => scan.scan_id));
      cursor = page.body.next_cursor;
    } while (cursor);
    const [{ total }] = await platform.query<{ total: number }>(
      `SELECT count(*)::int AS total FROM scheduler.scans WHERE tenant_id = 'default'`,
    );
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toHaveLength(total);
    expect(total).toBeGreaterThanOrEqual(200);
  });

  it("does not let one tenant's 500-image bulk starve another tenant's API scan, and cancels the rest of the bulk", async () => {
    const [tenantA, tenantB] = [await tenantApi('bulk-a'), await tenantApi('bulk-b')];
    const bulk = await tenantA.post<{ batch_id: string; count: number }>('/api/v1/scans/bulk', { images: references });
    expect(bulk.body.count).toBe(500);
    await waitFor(async () => (await tenantA.get<BatchView>(`/api/v1/batches/${bulk.body.batch_id}`)).body.counts.completed >= 3, {
      timeoutMs: 60000,
      what: "tenant A's bulk under way",
    });
    const single = await tenantB.post<{ scan_id: string }>('/api/v1/scans', { image: references[499] });
    expect(single.status).toBe(202);
    const [scanB] = await waitFor(
      async () => {
        const rows = await platform.query<{ dispatched_at: Date }>(
          `SELECT dispatched_at FROM scheduler.scan_attempts WHERE scan_id = $1 AND attempt = 1`,
          [single.body.scan_id],
        );
        return rows.length > 0 ? rows : undefined;
      },
      { timeoutMs: 60000, what: "tenant B's scan dispatched" },
    );
    const [{ later }] = await platform.query<{ later: number }>(
      `SELECT count(*)::int AS later FROM scheduler.scans s
       WHERE s.batch_id = $1 AND NOT EXISTS (
         SELECT 1 FROM scheduler.scan_attempts a WHERE a.scan_id = s.id AND a.dispatched_at <= $2)`,
      [bulk.body.batch_id, scanB.dispatched_at],
    );
    // B went ahead of (nearly) all of A's backlog, not behind it
    expect(later).toBeGreaterThan(400);

    const canceled = await tenantA.post<BatchView & { canceled_now: number }>(`/api/v1/batches/${bulk.body.batch_id}/cancel`);
    expect(canceled.status).toBe(201);
    expect(canceled.body.status).toBe('canceled');
    expect(canceled.body.canceled_now).toBeGreaterThan(400);
    expect(canceled.body.counts.queued + canceled.body.counts.running).toBe(0);
    const canceledAt = new Date();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const dispatchedAfter = await platform.query(
      `SELECT a.scan_id FROM scheduler.scan_attempts a JOIN scheduler.scans s ON s.id = a.scan_id WHERE s.batch_id = $1 AND a.dispatched_at > $2`,
      [bulk.body.batch_id, canceledAt],
    );
    expect(dispatchedAfter).toEqual([]);
    expect((await tenantB.get(`/api/v1/batches/${bulk.body.batch_id}`)).status).toBe(404);
  });

  it('bulk-scans known images by filter, and refuses bad requests and non-admin keys', async () => {
    const tenant = await tenantApi('bulk-c');
    expect((await tenant.post('/api/v1/scans', { image: references[0] })).status).toBe(202);
    expect((await tenant.post('/api/v1/scans', { image: `${registry.host}/library/other:1` })).status).toBe(202);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const byFilter = await tenant.post<{ count: number; deduplicated: number }>('/api/v1/scans/bulk', {
      filter: { registry: registry.host, repository: 'library/alpine' },
      force_rescan: true,
    });
    expect(byFilter.status).toBe(202);
    expect(byFilter.body.count).toBe(1);

    const created = await admin.post<{ key: string }>('/api/v1/api-keys', {
      tenant_id: 'bulk-c',
      name: 'writer',
      scopes: ['scans:write', 'scans:read'],
    });
    expect((await admin.withKey(created.body.key).post('/api/v1/scans/bulk', { images: references.slice(0, 1) })).status).toBe(403);
    const bad = await (
      await tenantApi('bulk-d')
    ).post<{ code: string; detail: string }>('/api/v1/scans/bulk', { images: ['ok:1', 'Not Valid!'] });
    expect([bad.status, bad.body.code]).toEqual([400, 'invalid_reference']);
    expect(bad.body.detail).toContain('Not Valid!');
    expect((await admin.post('/api/v1/scans/bulk', {})).status).toBe(400);
    const huge = await admin.post<{ code: string; detail: string }>('/api/v1/scans/bulk', {
      images: Array.from({ length: 3000 }, (_, i) => `${'x'.repeat(900)}:${i}`),
    });
    expect([huge.status, huge.body.code]).toEqual([413, 'payload_too_large']);
    expect(huge.body.detail).toMatch(/larger than the limit of \d+ bytes/);
    expect((await admin.post('/api/v1/scans/bulk', { images: [], filter: {} })).status).toBe(400);
  });
});
