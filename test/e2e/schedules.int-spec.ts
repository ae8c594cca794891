import { join } from 'node:path';
import { fixturesDir, pushImage, retagManifest, startRegistry, TestRegistry } from '@vulnscan/testing';
import { Api } from '../support/api';
import { ServiceProcess, TestPlatform, waitFor } from '../support/platform';

interface ScheduleView {
  id: string;
  name: string;
  target: Record<string, unknown>;
  interval_seconds: number | null;
  cron: string | null;
  enabled: boolean;
  next_run_at: string | null;
  last_run_at: string | null;
  last_batch: { id: string; count: number; skipped: number; counts: Record<string, number> } | null;
  last_error: string | null;
}

/** Schedules through the API, run by two scheduler replicas against a real registry. */
describe('schedules', () => {
  let registry: TestRegistry;
  let platform: TestPlatform;
  let api: Api;
  let schedulers: ServiceProcess[] = [];

  const batchesOf = (scheduleId: string) =>
    platform.query<{ id: string; count: number; skipped: number; deduplicated: number; created_at: Date }>(
      `SELECT id, count, skipped, deduplicated, created_at FROM scheduler.scan_batches WHERE schedule_id = $1 ORDER BY created_at`,
      [scheduleId],
    );

  const startSchedulers = async (count: number, overrides: Record<string, string> = {}) => {
    await Promise.all(schedulers.map((scheduler) => scheduler.stop()));
    schedulers = [];
    for (let i = 0; i < count; i++) schedulers.push(await platform.start('scan-scheduler', overrides));
  };

  beforeAll(async () => {
    registry = await startRegistry();
    const archive = join(fixturesDir(), 'images/alpine-310.docker.tar.gz');
    await pushImage(archive, registry, 'library/alpine:3.10');
    await pushImage(archive, registry, 'library/alpine:skip-me');
    await retagManifest(registry, 'library/alpine', '3.10', ['v1.0', 'v1.1', 'v2.0-rc', 'dev']);
    // schedules every second, triggered right after their first run: the limits are rate-limits.int-spec.ts's
    platform = new TestPlatform({
      INSECURE_REGISTRIES: registry.host,
      SCHEDULE_POLL_MS: '200',
      SCAN_SKIP_PATTERN: '(:skip-me|-rc)$',
      SCHEDULE_MIN_INTERVAL_SECONDS: '1',
      SCHEDULE_TRIGGER_COOLDOWN_SECONDS: '0',
    });
    await startSchedulers(2);
    api = new Api((await platform.start('gateway')).url);
    await platform.start('scanner-worker');
  });

  afterAll(async () => {
    await platform?.stop();
    await registry?.stop();
  });

  it('validates schedules: one target, interval or cron, a valid cron and tag filter', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ name: 'x', interval: '1h' }, 'invalid_target'],
      [{ name: 'x', image: 'alpine', repository: 'alpine' }, 'invalid_target'],
      [{ name: 'x', image: 'alpine', interval: 60, cron: '* * * * *' }, 'invalid_schedule'],
      [{ name: 'x', image: 'alpine', cron: '61 * * * *' }, 'invalid_request'],
      [{ name: 'x', image: 'alpine', interval: 'soon' }, 'invalid_request'],
      [{ name: 'x', repository: 'alpine', tag_filter: '([' }, 'invalid_request'],
      [{ name: 'x', image: 'alpine', tag_filter: '^v' }, 'invalid_target'],
      [{ name: 'x', repository: 'alpine:3.10' }, 'invalid_reference'],
    ];
    for (const [body, code] of cases) {
      const answer = await api.post<{ code: string; message: string }>('/api/v1/schedules', body);
      expect([JSON.stringify(body), answer.status, answer.body.code]).toEqual([JSON.stringify(body), 400, code]);
    }
    const cron = await api.post<{ detail: string }>('/api/v1/schedules', { name: 'x', image: 'alpine', cron: '61 * * * *' });
    expect(cron.body.detail).toMatch(/cron is not a valid cron expression/);
    const interval = await api.post<{ detail: string }>('/api/v1/schedules', { name: 'x', image: 'alpine', interval: 'soon' });
    expect(interval.body.detail).toMatch(/interval must be seconds or a duration such as 30m/);
  });

  it('runs a 2 s schedule on time on two replicas, each run once, and reports next and last runs and the last batch', async () => {
    const image = `${registry.host}/library/alpine:3.10`;
    const created = await api.post<ScheduleView>('/api/v1/schedules', { name: 'every 2 s', image, interval: '2s' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'every 2 s',
      target: { type: 'image', image },
      interval_seconds: 2,
      cron: null,
      enabled: true,
    });
    const started = Date.now();
    await waitFor(async () => (await batchesOf(created.body.id)).length >= 4, { timeoutMs: 30000, what: 'four schedule runs' });
    const batches = await batchesOf(created.body.id);
    const elapsed = (Date.now() - started) / 1000;
    // one run per planned time however many replicas poll: never two runs closer than the interval allows
    const gaps = batches.slice(1).map((batch, i) => (batch.created_at.getTime() - batches[i].created_at.getTime()) / 1000);
    for (const gap of gaps) expect(gap).toBeGreaterThan(1.5);
    expect(batches.length).toBeLessThanOrEqual(Math.floor(elapsed / 2) + 2);
    const scans = await platform.query<{ trigger: string; batch_id: string }>(
      `SELECT trigger, batch_id FROM scheduler.scans WHERE image = $1 AND batch_id = ANY($2::uuid[])`,
      [image, batches.map((batch) => batch.id)],
    );
    // every run queued the image, or found its previous scan still in progress
    expect(batches.every((batch) => batch.count + batch.deduplicated === 1)).toBe(true);
    expect(scans.length).toBeGreaterThanOrEqual(1);
    expect(new Set(scans.map((scan) => scan.trigger))).toEqual(new Set(['schedule']));

    const view = await api.get<ScheduleView>(`/api/v1/schedules/${created.body.id}`);
    expect(view.body.last_run_at).not.toBeNull();
    expect(Date.parse(view.body.next_run_at!)).toBeGreaterThan(Date.parse(view.body.last_run_at!));
    expect(view.body.last_batch).toMatchObject({ id: expect.any(String) });
    expect((await api.request('PATCH', `/api/v1/schedules/${created.body.id}`, { enabled: false })).status).toBe(200);
    const runs = (await batchesOf(created.body.id)).length;
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect((await batchesOf(created.body.id)).length).toBeLessThanOrEqual(runs + 1); // one may have been claimed already
    const listed = await api.get<{ items: ScheduleView[] }>('/api/v1/schedules');
    expect(listed.body.items.map((item) => item.id)).toContain(created.body.id);
    expect((await api.delete(`/api/v1/schedules/${created.body.id}`)).status).toBe(204);
    expect((await api.get(`/api/v1/schedules/${created.body.id}`)).status).toBe(404);
  });

  it('never scans what SCAN_SKIP_PATTERN matches', async () => {
    const created = await api.post<ScheduleView>('/api/v1/schedules', {
      name: 'skipped',
      image: `${registry.host}/library/alpine:skip-me`,
      interval: '1h',
    });
    const [batch] = await waitFor(
      async () => {
        const batches = await batchesOf(created.body.id);
        return batches.length > 0 ? batches : undefined;
      },
      { what: 'the first run' },
    );
    expect(batch).toMatchObject({ count: 0, skipped: 1 });
    expect(await platform.query(`SELECT id FROM scheduler.scans WHERE image LIKE '%:skip-me'`)).toEqual([]);
    const triggered = await api.post<{ batch_id: string; count: number; skipped: number }>(`/api/v1/schedules/${created.body.id}/trigger`);
    expect(triggered.status).toBe(202);
    expect(triggered.body).toMatchObject({ count: 0, skipped: 1 });

    // a cron schedule that has not come due yet: triggering it is its first run
    const yearly = await api.post<ScheduleView>('/api/v1/schedules', {
      name: 'yearly',
      image: `${registry.host}/library/alpine:skip-me`,
      cron: '0 0 1 1 *',
    });
    expect(yearly.body).toMatchObject({
      last_run_at: null,
      last_batch: null,
      next_run_at: `${new Date().getUTCFullYear() + 1}-01-01T00:00:00.000Z`,
    });
    const run = await api.post<{ batch_id: string }>(`/api/v1/schedules/${yearly.body.id}/trigger`);
    const after = await api.get<ScheduleView>(`/api/v1/schedules/${yearly.body.id}`);
    expect(after.body.last_run_at).not.toBeNull();
    expect(after.body.last_batch).toMatchObject({ id: run.body.batch_id, count: 0, skipped: 1 });
    expect(after.body.next_run_at).toBe(yearly.body.next_run_at);
  });

  it("scans a repository's tags through its tag list, filtered by tag and by SCAN_SKIP_PATTERN, and records why a target cannot be listed", async () => {
    const created = await api.post<ScheduleView>('/api/v1/schedules', {
      name: 'releases',
      repository: `${registry.host}/library/alpine`,
      tag_filter: '^v',
      interval: '1h',
    });
    expect(created.body.target).toEqual({ type: 'repository', repository: `${registry.host}/library/alpine`, tag_filter: '^v' });
    const [batch] = await waitFor(
      async () => {
        const batches = await batchesOf(created.body.id);
        return batches.length > 0 ? batches : undefined;
      },
      { what: 'the first run' },
    );
    expect(batch).toMatchObject({ count: 2, skipped: 1 });
    const scanned = await platform.query<{ image: string }>(`SELECT image FROM scheduler.scans WHERE batch_id = $1 ORDER BY image`, [
      batch.id,
    ]);
    expect(scanned.map((scan) => scan.image)).toEqual([`${registry.host}/library/alpine:v1.0`, `${registry.host}/library/alpine:v1.1`]);

    const missing = await api.post<ScheduleView>('/api/v1/schedules', {
      name: 'gone',
      repository: `${registry.host}/library/nope`,
      interval: '1h',
    });
    const failed = await waitFor(
      async () => {
        const view = await api.get<ScheduleView>(`/api/v1/schedules/${missing.body.id}`);
        return view.body.last_error ? view.body : undefined;
      },
      { what: 'the failed run recorded' },
    );
    expect(failed.last_error).toMatch(/^not_found: /);
    expect(failed.last_batch).toBeNull();
    const triggered = await api.post<{ code: string }>(`/api/v1/schedules/${missing.body.id}/trigger`);
    expect([triggered.status, triggered.body.code]).toEqual([502, 'target_unavailable']);
  });

  it('creates no scans with SCAN_ENABLED=false, and runs the schedule once a replica has it on', async () => {
    await startSchedulers(1, { SCAN_ENABLED: 'false' });
    const image = `${registry.host}/library/alpine:3.10`;
    const created = await api.post<ScheduleView>('/api/v1/schedules', { name: 'disabled platform', image, interval: '1s', enabled: true });
    expect(created.status).toBe(201);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(await batchesOf(created.body.id)).toEqual([]);
    await startSchedulers(1);
    await waitFor(async () => (await batchesOf(created.body.id)).length > 0, { what: 'a run once scheduling is enabled' });
  });
});
