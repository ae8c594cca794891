import { randomBytes } from 'node:crypto';
import { Api } from '../support/api';
import { ServiceProcess, TestPlatform, waitFor } from '../support/platform';

const KEY_LIMIT = 30;
const FAILURE_LIMIT = 5;
const TRIGGER_COOLDOWN_S = 30;

interface Problem {
  code: string;
  detail: string;
  retry_after_seconds?: number;
}

/**
 * The limits at the door, against real processes: two gateway replicas sharing one Postgres count,
 * the auth-failure limit per client address (TRUST_PROXY=loopback lets the test speak for several
 * addresses through X-Forwarded-For), unauthenticated floods counted but not audited, and the
 * scheduler's schedule limits.
 */
describe('limits at the door', () => {
  let platform: TestPlatform;
  let gateways: ServiceProcess[];
  let admin: Api;

  beforeAll(async () => {
    platform = new TestPlatform({
      API_RATE_LIMIT_PER_MINUTE: String(KEY_LIMIT),
      AUTH_FAILURE_LIMIT_PER_MINUTE: String(FAILURE_LIMIT),
      TRUST_PROXY: 'loopback',
      SCHEDULE_MIN_INTERVAL_SECONDS: '1h',
      SCHEDULES_MAX_PER_TENANT: '3',
      SCHEDULE_TRIGGER_COOLDOWN_SECONDS: String(TRIGGER_COOLDOWN_S),
    });
    await platform.start('scan-scheduler');
    gateways = [await platform.start('gateway'), await platform.start('gateway')];
    admin = new Api(gateways[0].url);
    for (const tenant of ['limits-a', 'limits-b']) {
      expect((await admin.post('/api/v1/tenants', { id: tenant, name: tenant })).status).toBe(201);
    }
  });

  afterAll(async () => {
    await platform?.stop();
  });

  async function createKey(tenant: string, scopes = ['scans:read', 'scans:write']): Promise<string> {
    const created = await admin.post<{ key: string }>('/api/v1/api-keys', { tenant_id: tenant, name: `${tenant}-key`, scopes });
    expect(created.status).toBe(201);
    return created.body.key;
  }

  /** Counts are per minute: a test that counts starts with at least 20 s of its minute left. */
  async function freshWindow(): Promise<void> {
    const [{ into }] = await platform.query<{ into: number }>(`SELECT extract(second FROM now())::float8 AS into`);
    if (into > 40) await new Promise((resolve) => setTimeout(resolve, (60 - into) * 1000 + 200));
  }

  function call(gateway: ServiceProcess, path: string, { key, from, method = 'GET' }: { key?: string; from?: string; method?: string }) {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (key) headers.authorization = `Bearer ${key}`;
    if (from) headers['x-forwarded-for'] = from;
    return fetch(`${gateway.url}${path}`, { method, headers, body: method === 'GET' ? undefined : '{}' });
  }

  async function metric(gateway: ServiceProcess, reason: string): Promise<number> {
    const text = await (await fetch(`${gateway.url}/metrics`)).text();
    const match = new RegExp(`^vulnscan_gateway_unauthenticated_requests_total\\{reason="${reason}"\\} (\\d+)$`, 'm').exec(text);
    return match ? Number(match[1]) : 0;
  }

  it('holds one per-key limit across two gateway replicas: exactly the limit is admitted, the rest get 429 with Retry-After', async () => {
    const key = await createKey('limits-a', ['scans:read']);
    const other = await createKey('limits-a', ['scans:read']);
    await freshWindow();
    const answers = await Promise.all(
      Array.from({ length: KEY_LIMIT + 15 }, (_, index) => call(gateways[index % 2], '/api/v1/scans?limit=1', { key })),
    );
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(KEY_LIMIT);
    expect(statuses.filter((status) => status === 429)).toHaveLength(15);
    // each replica took half the requests, more than the limit leaves to either: both admitted some
    for (const replica of [0, 1])
      expect(statuses.filter((status, index) => index % 2 === replica && status === 200).length).toBeGreaterThan(0);

    const refused = answers.find((answer) => answer.status === 429)!;
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    const body = (await refused.json()) as Problem;
    expect(body.code).toBe('rate_limited');
    expect(body.detail).toMatch(/API_RATE_LIMIT_PER_MINUTE/);
    expect(body.retry_after_seconds).toBe(retryAfter);

    // both replicas go on refusing, and another key of the same tenant is not limited
    expect((await call(gateways[0], '/api/v1/scans?limit=1', { key })).status).toBe(429);
    expect((await call(gateways[1], '/api/v1/scans?limit=1', { key })).status).toBe(429);
    expect((await call(gateways[1], '/api/v1/scans?limit=1', { key: other })).status).toBe(200);

    // a refused state-changing request is still the key's: audited with its tenant
    expect((await call(gateways[0], '/api/v1/scans', { key, method: 'POST' })).status).toBe(429);
    const audited = await waitFor(async () => {
      const rows = await platform.query<{ tenant_id: string }>(
        `SELECT tenant_id FROM gateway.audit_log WHERE action = 'POST /api/v1/scans' AND status = 429`,
      );
      return rows.length > 0 ? rows : null;
    });
    expect(audited).toEqual([{ tenant_id: 'limits-a' }]);
  });

  it('limits failed authentication per client address, before the key is looked up, on every replica', async () => {
    await freshWindow();
    const attacker = '203.0.113.7';
    const guess = () => `vsk_${randomBytes(32).toString('base64url')}`;
    const failures: number[] = [];
    for (let i = 0; i < FAILURE_LIMIT; i++)
      failures.push((await call(gateways[i % 2], '/api/v1/scans', { key: guess(), from: attacker })).status);
    expect(failures).toEqual(Array(FAILURE_LIMIT).fill(401));

    const limited = await call(gateways[0], '/api/v1/scans', { key: guess(), from: attacker });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await limited.json()) as Problem).detail).toMatch(/AUTH_FAILURE_LIMIT_PER_MINUTE/);
    expect((await call(gateways[1], '/api/v1/scans', { key: guess(), from: attacker })).status).toBe(429);

    // a valid key neither replica has seen is refused too: the address is limited before any lookup
    const valid = await createKey('limits-b', ['scans:read']);
    expect((await call(gateways[1], '/api/v1/scans', { key: valid, from: attacker })).status).toBe(429);
    // while the same key from another address works, and another address's failures are its own
    expect((await call(gateways[1], '/api/v1/scans', { key: valid, from: '198.51.100.9' })).status).toBe(200);
    expect((await call(gateways[0], '/api/v1/scans', { key: guess(), from: '198.51.100.9' })).status).toBe(401);
    // a request without a key guesses nothing and is not limited
    expect((await call(gateways[0], '/api/v1/scans', { from: attacker })).status).toBe(401);

    const [row] = await platform.query<{ hits: number }>(`SELECT hits FROM gateway.rate_windows WHERE bucket = $1`, [`auth:${attacker}`]);
    // refused before the lookup, the requests over the limit were not even counted
    expect(row.hits).toBe(FAILURE_LIMIT);
  });

  it('counts unauthenticated floods in a metric and writes no audit rows for them; authenticated requests are still audited', async () => {
    await freshWindow();
    const gateway = gateways[0];
    const before = {
      missing: await metric(gateway, 'missing_key'),
      invalid: await metric(gateway, 'invalid_key'),
      limited: await metric(gateway, 'too_many_failures'),
    };
    // the earlier tests' entries are written first (audit entries go out in batches every 100 ms)
    await new Promise((resolve) => setTimeout(resolve, 500));
    const [{ rows: rowsBefore }] = await platform.query<{ rows: number }>(`SELECT count(*)::int AS rows FROM gateway.audit_log`);

    const flood = [
      ...Array.from({ length: 40 }, () => call(gateway, '/api/v1/scans', { method: 'POST', from: '192.0.2.1' })),
      ...Array.from({ length: 20 }, (_, i) => call(gateway, '/api/v1/scans', { method: 'POST', key: `vsk_flood-${i}`, from: '192.0.2.2' })),
    ];
    const statuses = (await Promise.all(flood)).map((answer) => answer.status);
    expect(statuses.filter((status) => status === 401)).toHaveLength(40 + FAILURE_LIMIT);
    expect(statuses.filter((status) => status === 429)).toHaveLength(20 - FAILURE_LIMIT);

    const key = await createKey('limits-b');
    const refused = await call(gateway, '/api/v1/scans', { method: 'POST', key });
    expect(refused.status).toBe(400);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const entries = await platform.query<{ action: string; status: number; tenant_id: string | null }>(
      `SELECT action, status, tenant_id FROM gateway.audit_log ORDER BY created_at DESC, id DESC LIMIT 50`,
    );
    const [{ rows: rowsAfter }] = await platform.query<{ rows: number }>(`SELECT count(*)::int AS rows FROM gateway.audit_log`);
    // the key's creation and its refused scan, nothing of the 60 unauthenticated requests
    expect(rowsAfter - rowsBefore).toBe(2);
    expect(entries.filter((entry) => entry.tenant_id === null)).toEqual([]);
    expect(entries[0]).toMatchObject({ action: 'POST /api/v1/scans', status: 400, tenant_id: 'limits-b' });

    expect(await metric(gateway, 'missing_key')).toBe(before.missing + 40);
    expect(await metric(gateway, 'invalid_key')).toBe(before.invalid + FAILURE_LIMIT);
    expect(await metric(gateway, 'too_many_failures')).toBe(before.limited + 20 - FAILURE_LIMIT);
  });

  it('refuses schedules more frequent than SCHEDULE_MIN_INTERVAL_SECONDS, by interval or by cron', async () => {
    const tenant = new Api(gateways[1].url, await createKey('limits-a'));
    const tooOften = await tenant.post<Problem>('/api/v1/schedules', { name: 'x', image: 'alpine:3.19', interval: '30m' });
    expect([tooOften.status, tooOften.body.code]).toEqual([400, 'invalid_schedule']);
    expect(tooOften.body.detail).toMatch(/interval 1800 s: schedules run at most every 3600 s \(SCHEDULE_MIN_INTERVAL_SECONDS\)/);
    // every minute of one hour a day: 23 quiet hours do not make it hourly
    const burst = await tenant.post<Problem>('/api/v1/schedules', { name: 'x', image: 'alpine:3.19', cron: '* 4 * * *' });
    expect([burst.status, burst.body.code]).toEqual([400, 'invalid_schedule']);
    expect(burst.body.detail).toMatch(/runs 60 s apart/);

    const hourly = await tenant.post<{ id: string }>('/api/v1/schedules', { name: 'hourly', image: 'alpine:3.19', cron: '0 * * * *' });
    expect(hourly.status).toBe(201);
    const patched = await tenant.patch<Problem>(`/api/v1/schedules/${hourly.body.id}`, { interval: 60 });
    expect([patched.status, patched.body.code]).toEqual([400, 'invalid_schedule']);
    expect((await tenant.delete(`/api/v1/schedules/${hourly.body.id}`)).status).toBe(204);
  });

  it('keeps each tenant under SCHEDULES_MAX_PER_TENANT, however many creates race', async () => {
    const tenantA = new Api(gateways[0].url, await createKey('limits-a'));
    const creates = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        tenantA.post<Problem>('/api/v1/schedules', { name: `s${i}`, image: `alpine:3.${i}`, cron: '0 0 1 1 *' }),
      ),
    );
    expect(creates.map((answer) => answer.status).sort()).toEqual([201, 201, 201, 409, 409]);
    const full = creates.find((answer) => answer.status === 409)!;
    expect(full.body.code).toBe('schedule_limit_reached');
    expect(full.body.detail).toMatch(/SCHEDULES_MAX_PER_TENANT=3/);
    const rows = await platform.query<{ n: number }>(`SELECT count(*)::int AS n FROM scheduler.schedules WHERE tenant_id = 'limits-a'`);
    expect(rows[0].n).toBe(3);
    // another tenant's count is its own
    const tenantB = new Api(gateways[0].url, await createKey('limits-b'));
    expect((await tenantB.post('/api/v1/schedules', { name: 'b', image: 'alpine:3.19', cron: '0 0 1 1 *' })).status).toBe(201);
  });

  it('lets a schedule be triggered once per SCHEDULE_TRIGGER_COOLDOWN_SECONDS, answering the rest 429 with Retry-After', async () => {
    const tenant = new Api(gateways[1].url, await createKey('limits-b'));
    const yearly = await tenant.post<{ id: string }>('/api/v1/schedules', { name: 'yearly', image: 'alpine:3.18', cron: '0 0 1 1 *' });
    expect(yearly.status).toBe(201);
    const triggers = await Promise.all(
      Array.from({ length: 3 }, () => tenant.post<Problem>(`/api/v1/schedules/${yearly.body.id}/trigger`)),
    );
    expect(triggers.map((answer) => answer.status).sort()).toEqual([202, 429, 429]);
    const refused = triggers.find((answer) => answer.status === 429)!;
    expect(refused.body.code).toBe('rate_limited');
    expect(refused.body.detail).toMatch(/SCHEDULE_TRIGGER_COOLDOWN_SECONDS/);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(TRIGGER_COOLDOWN_S - 10);
    expect(retryAfter).toBeLessThanOrEqual(TRIGGER_COOLDOWN_S);
    // exactly one run: one batch of the schedule
    const batches = await platform.query<{ n: number }>(`SELECT count(*)::int AS n FROM scheduler.scan_batches WHERE schedule_id = $1`, [
      yearly.body.id,
    ]);
    expect(batches[0].n).toBe(1);
  });

  it('deletes ended minutes: one replica prunes them at start and every minute', async () => {
    await freshWindow();
    await platform.query(
      `INSERT INTO gateway.rate_windows (bucket, window_start, hits)
       VALUES ('key:gone', date_trunc('minute', now()) - interval '5 minutes', 7), ('key:previous', date_trunc('minute', now()) - interval '1 minute', 7)`,
    );
    await platform.start('gateway');
    const left = await waitFor(
      async () => {
        const rows = await platform.query<{ bucket: string }>(
          `SELECT bucket FROM gateway.rate_windows WHERE bucket IN ('key:gone', 'key:previous')`,
        );
        return rows.some((row) => row.bucket === 'key:gone') ? null : rows;
      },
      { what: 'the ended window deleted' },
    );
    // the minute just ended is kept a minute longer (a request may still be adding to it)
    expect(left.map((row) => row.bucket)).toEqual(['key:previous']);
  });
});
