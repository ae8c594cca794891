import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Events } from '@vulnscan/contracts';
import { fixturesDir, pushImage, startRegistry, TestRegistry } from '@vulnscan/testing';
import { Api, ScanView, waitForFeeds, waitForScan } from '../support/api';
import { ServiceProcess, TestPlatform, waitFor } from '../support/platform';

type Outcome = 'completed' | 'failed' | 'canceled' | 'active';
type ManifestAnswer = 'forward' | 'missing' | 'hang';

/**
 * A proxy in front of the test registry that answers a tag's manifest as told: forwarded,
 * MANIFEST_UNKNOWN (the scan fails with not_found) or never (the scan stays running). So one
 * image gets completed, failed, canceled and active scans, all through the API.
 */
async function startSwitchableProxy(target: string) {
  const answers = new Map<string, ManifestAnswer>();
  const held: http.ServerResponse[] = [];
  const upstream = new URL(target);
  const server = http.createServer((req, res) => {
    const tag = /^\/v2\/.+\/manifests\/([^/]+)$/.exec(new URL(req.url ?? '/', 'http://x').pathname)?.[1];
    const answer = (tag && answers.get(tag)) ?? 'forward';
    if (answer === 'hang') return void held.push(res);
    if (answer === 'missing') {
      res.writeHead(404, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] }));
    }
    const out = http.request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
      (reply) => {
        res.writeHead(reply.statusCode ?? 502, reply.headers);
        reply.pipe(res);
      },
    );
    out.on('error', () => res.destroy());
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    answer: (tag: string, answer: ManifestAnswer) => answers.set(tag, answer),
    close: () =>
      new Promise<void>((resolve) => {
        held.forEach((res) => res.destroy());
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface PlannedScan {
  name: string;
  tenant: 'default' | 'team-r';
  tag: string;
  outcome: Outcome;
  /** Age given to created_at once every scan exists. */
  ageHours: number;
  /** What retention must leave. */
  kept: boolean;
}

const DAY = 24;
/**
 * Per image: the latest two completed scans stay however old, as do active and recent scans;
 * every other finished scan older than a day goes. `c` is never in the registry (all failures).
 */
const PLAN: PlannedScan[] = [
  { name: 'a1', tenant: 'default', tag: 'a', outcome: 'completed', ageHours: 10 * DAY, kept: false },
  { name: 'a2', tenant: 'default', tag: 'a', outcome: 'failed', ageHours: 9 * DAY, kept: false },
  { name: 'a3', tenant: 'default', tag: 'a', outcome: 'canceled', ageHours: 8 * DAY, kept: false },
  { name: 'a4', tenant: 'default', tag: 'a', outcome: 'completed', ageHours: 7 * DAY, kept: true },
  { name: 'a5', tenant: 'default', tag: 'a', outcome: 'failed', ageHours: 6 * DAY, kept: false },
  { name: 'a6', tenant: 'default', tag: 'a', outcome: 'completed', ageHours: 5 * DAY, kept: true },
  { name: 'b1', tenant: 'default', tag: 'b', outcome: 'completed', ageHours: 10 * DAY, kept: false },
  { name: 'b2', tenant: 'default', tag: 'b', outcome: 'completed', ageHours: 9 * DAY, kept: false },
  { name: 'b3', tenant: 'default', tag: 'b', outcome: 'completed', ageHours: 8 * DAY, kept: true },
  { name: 'b4', tenant: 'default', tag: 'b', outcome: 'canceled', ageHours: 2, kept: true },
  { name: 'b5', tenant: 'default', tag: 'b', outcome: 'completed', ageHours: 0, kept: true },
  { name: 'c1', tenant: 'default', tag: 'c', outcome: 'failed', ageHours: 3 * DAY, kept: false },
  { name: 'c2', tenant: 'default', tag: 'c', outcome: 'failed', ageHours: 12, kept: true },
  { name: 'c3', tenant: 'default', tag: 'c', outcome: 'canceled', ageHours: 5 * DAY, kept: false },
  // the same reference in another tenant is another image: its own latest two
  { name: 'r1', tenant: 'team-r', tag: 'a', outcome: 'completed', ageHours: 10 * DAY, kept: false },
  { name: 'r2', tenant: 'team-r', tag: 'a', outcome: 'completed', ageHours: 9 * DAY, kept: true },
  { name: 'r3', tenant: 'team-r', tag: 'a', outcome: 'completed', ageHours: 8 * DAY, kept: true },
  { name: 'r4', tenant: 'team-r', tag: 'a', outcome: 'failed', ageHours: 8 * DAY + 1, kept: false },
  // created last: while it hangs, tag a's manifest never answers
  { name: 'a7', tenant: 'default', tag: 'a', outcome: 'active', ageHours: 4 * DAY, kept: true },
];

/** Retention of scans, attempts, reports and findings across the scheduler and the worker. */
describe('retention', () => {
  let registry: TestRegistry;
  let proxy: Awaited<ReturnType<typeof startSwitchableProxy>>;
  let platform: TestPlatform;
  let scratch: string;
  const apis: Record<PlannedScan['tenant'], Api> = {} as Record<PlannedScan['tenant'], Api>;
  const ids = new Map<string, string>();
  let worker: ServiceProcess;
  let retainers: ServiceProcess[] = [];

  const image = (tag: string) => `${proxy.host}/library/alpine:${tag}`;
  const idsOf = (names: string[]) => names.map((name) => ids.get(name)!).sort();
  const names = (filter: (scan: PlannedScan) => boolean) => PLAN.filter(filter).map((scan) => scan.name);

  async function scan(planned: PlannedScan): Promise<string> {
    const api = apis[planned.tenant];
    proxy.answer(
      planned.tag,
      { completed: 'forward', failed: 'missing', canceled: 'hang', active: 'hang' }[planned.outcome] as ManifestAnswer,
    );
    const created = await api.post<{ scan_id: string }>('/api/v1/scans', { image: image(planned.tag), force_rescan: true });
    expect(created.status).toBe(202);
    const id = created.body.scan_id;
    if (planned.outcome === 'canceled') expect((await api.delete(`/api/v1/scans/${id}`)).status).toBe(200);
    if (planned.outcome === 'active') {
      await waitFor(async () => (await api.get<ScanView>(`/api/v1/scans/${id}`)).body.status === 'running', {
        what: `${planned.name} running`,
      });
    } else {
      expect((await waitForScan(api, id, 60000)).status).toBe(planned.outcome);
    }
    proxy.answer(planned.tag, 'forward');
    return id;
  }

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'retention-e2e-'));
    cpSync(join(fixturesDir(), 'feeds', 'alpine-secdb', 'v3.10'), join(scratch, 'alpine-v3.10'), { recursive: true });
    registry = await startRegistry();
    for (const tag of ['a', 'b'])
      await pushImage(join(fixturesDir(), 'images/alpine-310.docker.tar.gz'), registry, `library/alpine:${tag}`);
    proxy = await startSwitchableProxy(registry.url);
    platform = new TestPlatform({ INSECURE_REGISTRIES: `${proxy.host}@*` });
    // This replica never retains: scans are created and aged before retention may run.
    await platform.start('scan-scheduler', { RETENTION_DAYS: '0' });
    apis.default = new Api((await platform.start('gateway')).url);
    worker = await platform.start('scanner-worker', {
      VULNDB_SOURCES: `alpine-secdb=${join(scratch, 'alpine-v3.10')}`,
      VULNDB_SYNC_INTERVAL_MINUTES: '0',
      // hanging scans hold a slot each until their registry call times out, after the test
      SCAN_CONCURRENCY: '6',
      REGISTRY_TIMEOUT_MS: '600000',
    });
    await waitForFeeds(apis.default, 1);
    expect((await apis.default.post('/api/v1/tenants', { id: 'team-r', name: 'Team R' })).status).toBe(201);
    const key = await apis.default.post<{ key: string }>('/api/v1/api-keys', {
      tenant_id: 'team-r',
      name: 'r',
      scopes: ['scans:read', 'scans:write'],
    });
    apis['team-r'] = apis.default.withKey(key.body.key);
    for (const planned of PLAN) ids.set(planned.name, await scan(planned));
    for (const planned of PLAN) {
      await platform.query(`UPDATE scheduler.scans SET created_at = now() - make_interval(hours => $2) WHERE id = $1`, [
        ids.get(planned.name),
        planned.ageHours,
      ]);
    }
  }, 300_000);

  afterAll(async () => {
    await platform?.stop();
    await proxy?.close();
    await registry?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  const remainingScans = async () =>
    (await platform.query<{ id: string }>(`SELECT id FROM scheduler.scans ORDER BY id`)).map((row) => row.id);
  const remainingReports = async () =>
    (await platform.query<{ scan_id: string }>(`SELECT scan_id FROM worker.reports ORDER BY scan_id`)).map((row) => row.scan_id);
  const findingsByScan = async () =>
    Object.fromEntries(
      (
        await platform.query<{ scan_id: string; n: number }>(
          `SELECT r.scan_id, count(f.*)::int AS n FROM worker.reports r LEFT JOIN worker.findings f ON f.report_id = r.id GROUP BY r.scan_id`,
        )
      ).map((row) => [row.scan_id, row.n]),
    );
  const attemptsByScan = async () =>
    Object.fromEntries(
      (
        await platform.query<{ scan_id: string; n: number }>(
          `SELECT scan_id, count(*)::int AS n FROM scheduler.scan_attempts GROUP BY scan_id`,
        )
      ).map((row) => [row.scan_id, row.n]),
    );
  const purgedEvents = () =>
    platform.query<{ tenant: string; ids: string[] }>(
      `SELECT envelope->>'tenantId' AS tenant, ARRAY(SELECT jsonb_array_elements_text(envelope->'payload'->'scanIds')) AS ids
       FROM scheduler.outbox WHERE type = $1`,
      [Events.ScansPurged],
    );
  /** A counter summed over processes, from their /metrics. */
  async function deletedTotal(processes: ServiceProcess[], table: string): Promise<number> {
    let sum = 0;
    for (const process of processes) {
      const text = await (await fetch(`${process.url}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith(`vulnscan_retention_deleted_total{table="${table}"}`));
      sum += line ? Number(line.split(' ').pop()) : 0;
    }
    return sum;
  }

  it('deletes old finished scans, attempts, reports and findings except the latest two completed per image, active and recent ones; two replicas run it', async () => {
    const completed = names((scan) => scan.outcome === 'completed');
    expect(await remainingReports()).toEqual(idsOf(completed));
    const findingsBefore = await findingsByScan();
    // every report has findings (alpine 3.10 against its secdb), so findings deletion is observable
    for (const name of completed) expect(findingsBefore[ids.get(name)!]).toBeGreaterThan(10);
    const attemptsBefore = await attemptsByScan();
    const gone = idsOf(names((scan) => !scan.kept));
    const attemptsOfGone = gone.reduce((sum, id) => sum + (attemptsBefore[id] ?? 0), 0);
    // a canceled scan may or may not have been dispatched; every other one ran at least once
    for (const name of names((scan) => scan.outcome !== 'canceled')) expect(attemptsBefore[ids.get(name)!]).toBeGreaterThanOrEqual(1);
    // scan batches: old and empty, old and emptied by retention, old with a kept scan, recent, a schedule's last
    const batch = { oldEmpty: randomUUID(), emptied: randomUUID(), stillUsed: randomUUID(), recent: randomUUID(), scheduled: randomUUID() };
    for (const [key, id] of Object.entries(batch)) {
      await platform.query(
        `INSERT INTO scheduler.scan_batches (id, tenant_id, source, count, created_at) VALUES ($1, 'default', 'bulk', 0, now() - make_interval(days => $2))`,
        [id, key === 'recent' ? 0 : 5],
      );
    }
    await platform.query(`UPDATE scheduler.scans SET batch_id = $1 WHERE id = ANY($2)`, [batch.emptied, idsOf(['a1', 'a2'])]);
    await platform.query(`UPDATE scheduler.scans SET batch_id = $1 WHERE id = ANY($2)`, [batch.stillUsed, idsOf(['a4', 'a5'])]);
    await platform.query(
      `INSERT INTO scheduler.schedules (id, tenant_id, name, target_kind, image, interval_seconds, enabled, next_run_at, last_batch_id, created_at, updated_at)
       VALUES ($1, 'default', 'weekly', 'image', $2, 604800, false, now() + interval '7 days', $3, now(), now())`,
      [randomUUID(), image('a'), batch.scheduled],
    );

    // Two replicas starting together race for every period; small batches make several transactions.
    const retention = { RETENTION_DAYS: '1', RETENTION_INTERVAL: '1', RETENTION_BATCH_SIZE: '3' };
    retainers = await Promise.all([platform.start('scan-scheduler', retention), platform.start('scan-scheduler', retention)]);
    const keptIds = idsOf(names((scan) => scan.kept));
    await waitFor(async () => JSON.stringify(await remainingScans()) === JSON.stringify(keptIds), {
      timeoutMs: 30000,
      what: 'retention of scans',
    });
    const keptReports = idsOf(names((scan) => scan.kept && scan.outcome === 'completed'));
    await waitFor(async () => JSON.stringify(await remainingReports()) === JSON.stringify(keptReports), {
      timeoutMs: 30000,
      what: 'retention of reports',
    });

    // scheduler slice: exactly the kept scans, with their attempts; the active one untouched
    expect(await remainingScans()).toEqual(keptIds);
    expect(await attemptsByScan()).toEqual(Object.fromEntries(Object.entries(attemptsBefore).filter(([id]) => keptIds.includes(id))));
    expect((await apis.default.get<ScanView>(`/api/v1/scans/${ids.get('a7')}`)).body.status).toBe('running');
    const batches = await platform.query<{ id: string }>(`SELECT id FROM scheduler.scan_batches ORDER BY id`);
    expect(batches.map((row) => row.id)).toEqual([batch.stillUsed, batch.recent, batch.scheduled].sort());

    // worker slice: the kept reports with every one of their findings, no findings of deleted reports
    const findingsAfter = await findingsByScan();
    expect(findingsAfter).toEqual(Object.fromEntries(keptReports.map((id) => [id, findingsBefore[id]])));
    const [{ orphans }] = await platform.query<{ orphans: number }>(
      `SELECT count(*)::int AS orphans FROM worker.findings f WHERE NOT EXISTS (SELECT 1 FROM worker.reports r WHERE r.id = f.report_id)`,
    );
    expect(orphans).toBe(0);
    expect((await platform.query(`SELECT 1 FROM worker.sboms`)).length).toBe(1);

    // each deleted scan named once, in an event of its own tenant
    const events = await purgedEvents();
    const purged = events.flatMap((event) => event.ids).sort();
    expect(purged).toEqual(idsOf(names((scan) => !scan.kept)));
    for (const event of events) {
      for (const id of event.ids) expect(PLAN.find((scan) => ids.get(scan.name) === id)?.tenant).toBe(event.tenant);
      expect(event.ids.length).toBeLessThanOrEqual(3);
    }
    await waitFor(
      async () => (await platform.query(`SELECT 1 FROM worker.inbox WHERE consumer = 'scans-purged'`)).length === events.length,
      { what: 'every ScansPurged handled once' },
    );

    // metrics, summed over the replicas (whichever ran a period counted it)
    const deletedReports = completed.filter((name) => !PLAN.find((scan) => scan.name === name)!.kept);
    expect(await deletedTotal(retainers, 'scans')).toBe(purged.length);
    expect(await deletedTotal(retainers, 'scan_attempts')).toBe(attemptsOfGone);
    expect(await deletedTotal(retainers, 'scan_batches')).toBe(2);
    expect(await deletedTotal([worker], 'reports')).toBe(deletedReports.length);
    expect(await deletedTotal([worker], 'findings')).toBe(deletedReports.reduce((sum, name) => sum + findingsBefore[ids.get(name)!], 0));

    // the run is claimed in Postgres, only by replicas with retention on
    const [job] = await platform.query<{ last_run_by: string; last_error: string | null }>(
      `SELECT last_run_by, last_error FROM scheduler.periodic_jobs WHERE name = 'retention'`,
    );
    expect(job.last_error).toBeNull();
    expect(['scan-scheduler-4', 'scan-scheduler-5']).toContain(job.last_run_by);
  }, 120_000);

  it('a newer completed scan makes the oldest of the latest two go on the next run', async () => {
    ids.set('b6', await scan({ name: 'b6', tenant: 'default', tag: 'b', outcome: 'completed', ageHours: 0, kept: true }));
    const b3 = ids.get('b3')!;
    await waitFor(async () => !(await remainingScans()).includes(b3), { timeoutMs: 30000, what: 'b3 deleted' });
    await waitFor(async () => !(await remainingReports()).includes(b3), { timeoutMs: 30000, what: 'the report of b3 deleted' });
    expect(await remainingReports()).toEqual(idsOf(['a4', 'a6', 'b5', 'b6', 'r2', 'r3']));
    expect(await remainingScans()).toEqual(idsOf(['a4', 'a6', 'a7', 'b4', 'b5', 'b6', 'c2', 'r2', 'r3']));
  }, 120_000);
});
