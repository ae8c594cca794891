/**
 * Retention benchmark: is deleting old scans, reports and findings in batches cheap at 10 million
 * findings? On this machine, against real Postgres with the scheduler's and the worker's real
 * migrations, in a throwaway database. Writes bench/results/retention.json.
 *
 * Seed (INSERT ... SELECT generate_series): scans over the last BENCH_MONTHS months across
 * BENCH_IMAGES images of 10 tenants (about 77 % completed, the rest failed or canceled, 0.1 % still
 * running; a fifth of the images went dormant seven months ago, so their latest two completed
 * scans stay behind the cutoff for good), one attempt each, a report per completed scan with
 * 1–399 findings (mean 200) until BENCH_FINDINGS findings exist. Ids are time-ordered (uuid v7,
 * like the services') and rows are written oldest first, as production writes them.
 *
 * Then the retention backlog at RETENTION_DAYS=90, measured per transaction:
 *  - scheduler: `purgeScanBatch` + the ScansPurged outbox rows, batches of BENCH_BATCH scans
 *    (RETENTION_BATCH_SIZE), exactly what the scheduler's Retention runs;
 *  - worker: every ScansPurged event those batches recorded, handled as the worker's consumer
 *    does (`deleteScanResults`, SCANS_PER_TRANSACTION scans per transaction, the last with the
 *    inbox row);
 * and whether latency stays flat as the tables shrink (p50 and µs per row, for each tenth of the run).
 * Last, a steady-state run one day later (the cutoff a day on). Postgres here runs with
 * autovacuum off, so nothing cleans up behind the deletes while they run: the harsher case.
 * Environment: BENCH_FINDINGS, BENCH_IMAGES, BENCH_MONTHS, BENCH_BATCH, BENCH_KEEP_DB=1.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DataSource } from 'typeorm';
import { Events, MessageEnvelope, ScansPurgedPayload } from '@vulnscan/contracts';
import { Inbox, Outbox, ResolvedMessagingOptions, TenantTombstones } from '@vulnscan/messaging';
import { byTenant, PURGE_START, PurgeCursor, purgeScanBatch } from '../apps/scan-scheduler/src/retention/scan-purge';
import { chunk, deleteScanResults, SCANS_PER_TRANSACTION } from '../apps/scanner-worker/src/retention/scan-results-purge';
import { ROOT, TestPlatform } from '../test/support/platform';
import { log, percentile, round } from './vulndb-report';

const FINDINGS = Number(process.env.BENCH_FINDINGS ?? 10_000_000);
const IMAGES = Number(process.env.BENCH_IMAGES ?? 5000);
const MONTHS = Number(process.env.BENCH_MONTHS ?? 12);
const BATCH = Number(process.env.BENCH_BATCH ?? 1000);
const RETENTION_DAYS = 90;
const MEAN_FINDINGS_PER_REPORT = 200;
/** Of the scans seeded, about this share completes (the rest failed, canceled or running). */
const COMPLETED_SHARE = 0.75;
const SCANS = Math.ceil(FINDINGS / MEAN_FINDINGS_PER_REPORT / COMPLETED_SHARE);
const SPAN_DAYS = Math.round((MONTHS * 365) / 12);

/** A uuid v7-like id: the timestamp's milliseconds first, then 80 bits from md5 of `seed`. */
const timeOrderedId = (ts: string, seed: string) =>
  `(lpad(to_hex((extract(epoch FROM ${ts}) * 1000)::bigint), 12, '0') || '7' || substr(md5(${seed}), 1, 3) || '8' || substr(md5(${seed}), 4, 15))::uuid`;

async function seed(platform: TestPlatform): Promise<Record<string, number>> {
  const q = (sql: string, params: unknown[] = []) => platform.query(sql, params);
  const started = performance.now();
  await q(
    `INSERT INTO scheduler.images (id, tenant_id, reference, registry, repository, created_at)
     SELECT md5('image-' || i)::uuid, 'tenant-' || (i % 10), 'registry.example/app-' || i || ':1', 'registry.example', 'app-' || i, now() - interval '2 years'
     FROM generate_series(0, $1 - 1) i`,
    [IMAGES],
  );
  // Scan g is the (g / IMAGES)-th scan of image g % IMAGES; higher g is older. Images with
  // i % 5 = 0 stopped being scanned seven months ago.
  await q(
    `CREATE TABLE public.seed_scans AS
     SELECT g, g % $2 AS img,
            CASE WHEN (g % $2) % 5 = 0 THEN now() - interval '210 days' - (g::float / $1) * make_interval(days => $3 - 210)
                 ELSE now() - (g::float / $1) * make_interval(days => $3) END AS ts,
            CASE WHEN g % 1000 = 1 THEN 'running' WHEN (g / $2) % 10 = 0 THEN 'failed' WHEN (g / $2) % 10 = 5 THEN 'canceled' ELSE 'completed' END AS status
     FROM generate_series(0, $1 - 1) g`,
    [SCANS, IMAGES, SPAN_DAYS],
  );
  await q(
    `INSERT INTO scheduler.scans (id, tenant_id, image_id, image, registry, status, kind, trigger, attempt, created_at, next_attempt_at,
                                  timeout_at, started_at, completed_at, manifest_digest, error_code)
     SELECT ${timeOrderedId('ts', "'scan-' || g")}, 'tenant-' || (img % 10), md5('image-' || img)::uuid, 'registry.example/app-' || img || ':1',
            'registry.example', status, 'scan', 'schedule', 1, ts, ts, ts + interval '30 minutes', ts,
            CASE WHEN status = 'running' THEN NULL ELSE ts + interval '1 minute' END,
            'sha256:' || encode(sha256(('manifest-' || img)::bytea), 'hex'), CASE WHEN status = 'failed' THEN 'not_found' END
     FROM public.seed_scans ORDER BY ts`,
  );
  await q(`DROP TABLE public.seed_scans`);
  await q(
    `INSERT INTO scheduler.scan_attempts (scan_id, attempt, status, worker_id, dispatched_at, started_at, finished_at)
     SELECT id, 1, CASE status WHEN 'completed' THEN 'succeeded' WHEN 'running' THEN 'running' ELSE 'failed' END, 'bench', created_at, created_at, completed_at
     FROM scheduler.scans ORDER BY created_at`,
  );
  await q(
    `INSERT INTO worker.sboms (manifest_digest, analyzer_version, document, package_count)
     SELECT 'sha256:' || encode(sha256(('manifest-' || i)::bytea), 'hex'), 'bench', '{}', 300 FROM generate_series(0, $1 - 1) i`,
    [IMAGES],
  );
  await q(
    `INSERT INTO worker.reports (id, tenant_id, scan_id, attempt, manifest_digest, analyzer_version, summary, coverage, created_at)
     SELECT ${timeOrderedId('created_at', "'report-' || id")}, tenant_id, id, 1, manifest_digest, 'bench', '{}', '[]', created_at
     FROM scheduler.scans WHERE status = 'completed' ORDER BY created_at`,
  );
  // 1–399 findings per report (a hash of its id), oldest reports first, a month per statement.
  // session_replication_role skips the findings → reports foreign key check per row (they exist);
  // each query has a connection of its own, so the setting ends with it.
  for (let month = MONTHS; month >= 0; month--) {
    await q(
      `SET session_replication_role = replica;
       INSERT INTO worker.findings (report_id, ordinal, advisory_id, aliases, feed, ecosystem, package_type, package_name, package_version, purl,
                                    path, layer_digest, installed_version, fixed_version, severity, severity_source, cvss_score, cvss_vector, summary, refs)
       SELECT r.id, o, 'CVE-20' || (10 + o % 15) || '-' || (10000 + (o * 7919) % 89999), ARRAY['GHSA-' || substr(md5(o::text), 1, 14)], 'debian-oval',
              'Debian:12', 'deb', 'lib' || (o % 300), '1.' || (o % 50) || '.3-1', 'pkg:deb/debian/lib' || (o % 300) || '@1.' || (o % 50) || '.3-1',
              '/var/lib/dpkg/status', 'sha256:' || md5(r.manifest_digest) || md5(r.manifest_digest || 'layer'), '1.' || (o % 50) || '.3-1',
              CASE WHEN o % 3 = 0 THEN NULL ELSE '1.' || (o % 50) || '.4-1' END, (ARRAY['Low', 'Medium', 'High', 'Critical'])[1 + o % 4], 'nvd',
              5.3 + (o % 40) / 10.0, 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N',
              'A flaw in lib' || (o % 300) || ' lets a remote attacker cause a denial of service through crafted input.',
              ARRAY['https://security-tracker.debian.org/tracker/CVE-20' || (10 + o % 15) || '-' || (10000 + (o * 7919) % 89999)]
       FROM worker.reports r CROSS JOIN LATERAL generate_series(1, 1 + (('x' || substr(md5(r.id::text), 1, 8))::bit(32)::int & 2147483647) % 399) o
       WHERE r.created_at >= now() - make_interval(days => ${(month + 1) * 31}) AND r.created_at < now() - make_interval(days => ${month * 31})
       ORDER BY r.id, o`,
    );
    log({ seeding: { findings_up_to_days_ago: month * 31 } });
  }
  await q(`VACUUM ANALYZE`);
  const [counts] = (await q(
    `SELECT (SELECT count(*) FROM scheduler.scans)::int AS scans, (SELECT count(*) FROM scheduler.scan_attempts)::int AS attempts,
            (SELECT count(*) FROM worker.reports)::int AS reports, (SELECT count(*) FROM worker.findings)::int AS findings,
            (SELECT count(*) FROM scheduler.scans WHERE status = 'running')::int AS running_scans,
            round(pg_total_relation_size('worker.findings') / 1048576.0)::int AS findings_mb`,
  )) as Record<string, number>[];
  return { ...counts, seed_s: round((performance.now() - started) / 1000, 1) };
}

interface Sample {
  ms: number;
  rows: number;
}

function summarize(samples: Sample[], unit: string) {
  if (samples.length === 0) return { transactions: 0, [unit]: 0 };
  const sorted = samples.map((s) => s.ms).sort((a, b) => a - b);
  const totalMs = samples.reduce((sum, s) => sum + s.ms, 0);
  const rows = samples.reduce((sum, s) => sum + s.rows, 0);
  const tenths = Array.from({ length: 10 }, (_, i) =>
    samples.slice(Math.floor((i * samples.length) / 10), Math.floor(((i + 1) * samples.length) / 10)),
  );
  const p50PerTenth = tenths.map((part) =>
    part.length
      ? round(
          percentile(
            part.map((s) => s.ms).sort((a, b) => a - b),
            50,
          ),
          2,
        )
      : null,
  );
  // Transactions differ in size (a report holds 1–399 findings), so flatness is judged per row.
  const usPerRow = tenths.map((part) => {
    const partRows = part.reduce((sum, s) => sum + s.rows, 0);
    return partRows ? round((part.reduce((sum, s) => sum + s.ms, 0) * 1000) / partRows, 1) : null;
  });
  const first = usPerRow[0] ?? 0;
  const last = usPerRow[9] ?? 0;
  return {
    transactions: samples.length,
    [unit]: rows,
    seconds: round(totalMs / 1000, 2),
    [`${unit}_per_s`]: Math.round(rows / (totalMs / 1000)),
    latency_ms: {
      p50: round(percentile(sorted, 50), 2),
      p99: round(percentile(sorted, 99), 2),
      max: round(sorted[sorted.length - 1] ?? 0, 2),
    },
    p50_ms_per_tenth_of_run: p50PerTenth,
    [`us_per_${unit}_per_tenth_of_run`]: usPerRow,
    [`last_over_first_tenth_us_per_${unit}`]: first ? round(last / first, 2) : null,
  };
}

/** What the scheduler's Retention does for one cutoff: batches until one comes back short. */
async function schedulerRun(
  dataSource: DataSource,
  outbox: Outbox,
  cutoff: Date,
): Promise<{ scans: Sample[]; attempts: number; scanned: number }> {
  const scans: Sample[] = [];
  let attempts = 0;
  let scanned = 0;
  let cursor: PurgeCursor = PURGE_START;
  for (;;) {
    const started = performance.now();
    const batch = await dataSource.transaction(async (manager) => {
      const purged = await purgeScanBatch(manager, cutoff, BATCH, cursor);
      const events = [...byTenant(purged.scans)].map(([tenantId, scanIds]) => ({
        type: Events.ScansPurged,
        tenantId,
        payload: { scanIds },
      }));
      if (events.length > 0) await outbox.addMany(manager, events);
      return purged;
    });
    scans.push({ ms: performance.now() - started, rows: batch.scans.length });
    attempts += batch.attempts;
    scanned += batch.scanned;
    cursor = batch.cursor;
    if (batch.scanned < BATCH) return { scans, attempts, scanned };
  }
}

/** What the worker's ScansPurged consumer does, for every event not handled yet, oldest first. */
async function workerRun(dataSource: DataSource, inbox: Inbox): Promise<{ findings: Sample[]; reports: number; events: number }> {
  const rows = (await dataSource.query(
    `SELECT o.envelope FROM scheduler.outbox o
     WHERE o.type = $1 AND NOT EXISTS (SELECT 1 FROM worker.inbox i WHERE i.consumer = 'scans-purged' AND i.message_id = o.id)
     ORDER BY o.created_at, o.id`,
    [Events.ScansPurged],
  )) as { envelope: MessageEnvelope<ScansPurgedPayload> }[];
  const findings: Sample[] = [];
  let reports = 0;
  for (const { envelope } of rows) {
    const chunks = chunk(envelope.payload.scanIds, SCANS_PER_TRANSACTION);
    for (const [index, ids] of chunks.entries()) {
      const started = performance.now();
      const deleted =
        index < chunks.length - 1
          ? await dataSource.transaction((manager) => deleteScanResults(manager, envelope.tenantId!, ids))
          : (await inbox.runOnce('scans-purged', envelope, (manager) => deleteScanResults(manager, envelope.tenantId!, ids))).result!;
      findings.push({ ms: performance.now() - started, rows: deleted.findings });
      reports += deleted.reports;
    }
  }
  return { findings, reports, events: rows.length };
}

async function main(): Promise<void> {
  const platform = new TestPlatform({ LOG_LEVEL: 'warn' });
  let dataSource: DataSource | undefined;
  try {
    await platform.migrate('scan-scheduler');
    await platform.migrate('scanner-worker');
    log({ seeding: { scans: SCANS, images: IMAGES, months: MONTHS, target_findings: FINDINGS } });
    const seeded = await seed(platform);
    log({ seeded });
    const [postgres] = await platform.query<Record<string, string>>(
      `SELECT current_setting('server_version') AS version, current_setting('autovacuum') AS autovacuum, current_setting('shared_buffers') AS shared_buffers`,
    );
    dataSource = new DataSource({ type: 'postgres', url: platform.databaseUrl, extra: { max: 2 } });
    await dataSource.initialize();
    const outbox = new Outbox({ schema: 'scheduler' } as ResolvedMessagingOptions);
    const workerMessaging = { schema: 'worker' } as ResolvedMessagingOptions;
    const inbox = new Inbox(dataSource, workerMessaging, new TenantTombstones(workerMessaging));
    const [expected] = (await dataSource.query(
      `SELECT count(*)::int AS scans FROM scheduler.scans s
       WHERE s.status IN ('completed', 'failed', 'canceled') AND s.created_at < now() - make_interval(days => $1)
         AND NOT (s.status = 'completed' AND s.id IN (SELECT k.id FROM scheduler.scans k WHERE k.image_id = s.image_id AND k.status = 'completed'
                                                     ORDER BY k.created_at DESC, k.id DESC LIMIT 2))`,
      [RETENTION_DAYS],
    )) as { scans: number }[];

    const cutoff = new Date(Date.now() - RETENTION_DAYS * 86400_000);
    const scheduler = await schedulerRun(dataSource, outbox, cutoff);
    log({ scheduler: summarize(scheduler.scans, 'scans') });
    const worker = await workerRun(dataSource, inbox);
    log({ worker: summarize(worker.findings, 'findings') });
    const [after] = (await dataSource.query(
      `SELECT (SELECT count(*) FROM scheduler.scans)::int AS scans, (SELECT count(*) FROM worker.reports)::int AS reports,
              (SELECT count(*) FROM worker.findings)::int AS findings,
              (SELECT count(*) FROM worker.findings f WHERE NOT EXISTS (SELECT 1 FROM worker.reports r WHERE r.id = f.report_id))::int AS orphan_findings,
              (SELECT count(*) FROM scheduler.scans WHERE status = 'running')::int AS running_scans,
              (SELECT n_dead_tup FROM pg_stat_user_tables WHERE schemaname = 'worker' AND relname = 'findings')::int AS findings_dead_tuples`,
    )) as Record<string, number>[];
    const deletedScans = scheduler.scans.reduce((sum, s) => sum + s.rows, 0);
    if (deletedScans !== expected!.scans || after!.orphan_findings !== 0 || after!.running_scans !== seeded.running_scans) {
      throw new Error(
        `retention deleted ${deletedScans} of ${expected!.scans} due scans, left ${after!.orphan_findings} orphan findings, ${after!.running_scans} running scans`,
      );
    }

    // The next day: the cutoff a day on, as the hourly job sees it in steady state.
    const nextDay = new Date(cutoff.getTime() + 86400_000);
    const dailyStarted = performance.now();
    const daily = await schedulerRun(dataSource, outbox, nextDay);
    const dailyWorker = await workerRun(dataSource, inbox);
    const steadyState = {
      note: 'the cutoff one day later: one day of scans falls out of retention',
      seconds: round((performance.now() - dailyStarted) / 1000, 2),
      scheduler: summarize(daily.scans, 'scans'),
      worker: summarize(dailyWorker.findings, 'findings'),
    };
    log({ steady_state: steadyState });

    const totalSeconds = scheduler.scans.concat(worker.findings).reduce((sum, s) => sum + s.ms, 0) / 1000;
    const results = {
      benchmark: 'retention: batched deletes of scans, attempts, reports and findings at 10 million findings',
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, cpu_model: cpus()[0]?.model, memory_gb: Math.round(totalmem() / 1024 ** 3), node: process.version },
      postgres,
      note: 'the benchmark and Postgres share this machine; one connection runs the batches one after another; autovacuum is off, so dead rows stay in the tables and their indexes throughout',
      setup: {
        retention_days: RETENTION_DAYS,
        scheduler_batch_scans: BATCH,
        worker_scans_per_transaction: SCANS_PER_TRANSACTION,
        images: IMAGES,
        tenants: 10,
        months: MONTHS,
        dormant_images: 'every fifth image, last scanned 7 months ago: its latest two completed scans stay behind the cutoff',
      },
      seeded,
      backlog: {
        due_scans: expected!.scans,
        scheduler: { ...summarize(scheduler.scans, 'scans'), attempts: scheduler.attempts, scanned: scheduler.scanned },
        worker: { ...summarize(worker.findings, 'findings'), reports: worker.reports, events: worker.events },
        findings_deleted_per_s_overall: Math.round(worker.findings.reduce((sum, s) => sum + s.rows, 0) / totalSeconds),
        after,
      },
      steady_state_next_day: steadyState,
    };
    mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
    writeFileSync(join(ROOT, 'bench', 'results', 'retention.json'), `${JSON.stringify(results, null, 2)}\n`);
    console.log('written to bench/results/retention.json');
  } finally {
    await dataSource?.destroy();
    if (!process.env.BENCH_KEEP_DB) await platform.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
