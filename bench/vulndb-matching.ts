/**
 * The vulndb benchmark's in-process measurements: the worker's ReportBuilder timed on one large
 * SBOM (with where each build's time goes, statement by statement) and over the whole fleet.
 */
import { performance } from 'node:perf_hooks';
import { Pool } from 'pg';
import { DataSource, type Logger } from 'typeorm';
import { validateSbom } from '@vulnscan/analysis';
import { type ComputedReport, ReportBuilder } from '../apps/scanner-worker/src/reports/report-builder.service';
import { ANALYZER_VERSION, type FleetImage, fleetImage, type Pools } from './vulndb-fleet';
import { ActivitySampler } from './vulndb-probes';
import { storeSboms } from './vulndb-store';
import { countBy, log, percentile, round } from './vulndb-report';

const MATCH_RUNS = Number(process.env.BENCH_MATCH_RUNS ?? 30);
const MATCH_WARMUP = 3;
/** Runs of the 1,000-package match before VACUUM ANALYZE (the database as the import left it). */
const MATCH_RUNS_AS_IMPORTED = 3;
/** Builds in flight at once in this process's fleet re-match (one Node thread; overlaps database round trips). */
export const IN_PROCESS_CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
/** The in-process fleet re-match stops here and extrapolates when it has not finished. */
const IN_PROCESS_CAP_S = Number(process.env.BENCH_IN_PROCESS_CAP_S ?? 40);

async function timedBuilds(builder: ReportBuilder, digest: string, warmup: number, runs: number) {
  for (let i = 0; i < warmup; i++) await builder.build(digest, ANALYZER_VERSION);
  const times: number[] = [];
  let report: ComputedReport | undefined;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    report = await builder.build(digest, ANALYZER_VERSION);
    times.push(performance.now() - started);
  }
  const sorted = [...times].sort((a, b) => a - b);
  return { sorted, report: report! };
}

/** Every statement a DataSource runs, with its time (TypeORM reports it through logQuerySlow when a threshold is set). */
class QueryRecorder implements Logger {
  statements: { sql: string; params: unknown[]; ms: number }[] = [];
  logQuerySlow(time: number, query: string, parameters?: unknown[]): void {
    this.statements.push({ sql: query, params: parameters ?? [], ms: time });
  }
  logQuery(): void {}
  logQueryError(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}

/**
 * One build of the large SBOM with every statement recorded: where its time goes (each
 * statement, the rest being this process's work), and the plan Postgres picks for the severity
 * lookup by CVE (worker.severity_by_id), with its time when a sequential scan is ruled out.
 */
async function breakdown(url: string, pool: Pool, digest: string) {
  const recorder = new QueryRecorder();
  const recording = new DataSource({ type: 'postgres', url, maxQueryExecutionTime: 0.001, logger: recorder });
  await recording.initialize();
  try {
    const builder = new ReportBuilder(recording);
    await builder.build(digest, ANALYZER_VERSION);
    recorder.statements = [];
    const started = performance.now();
    await builder.build(digest, ANALYZER_VERSION);
    const buildMs = performance.now() - started;
    const statements = recorder.statements.filter((s) => !/^(START TRANSACTION|BEGIN|COMMIT|SET TRANSACTION)/i.test(s.sql.trim()));
    const dbMs = recorder.statements.reduce((sum, s) => sum + s.ms, 0);
    const severity = statements.find((s) => /worker\.severity_by_id/.test(s.sql));
    const explain = async (seqscan: boolean) => {
      if (!severity) return null;
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        if (!seqscan) await client.query('SET LOCAL enable_seqscan = off');
        const { rows } = await client.query<{ 'QUERY PLAN': [{ Plan: PlanNode; 'Execution Time': number }] }>(
          `EXPLAIN (ANALYZE, FORMAT JSON) ${severity.sql}`,
          severity.params,
        );
        await client.query('ROLLBACK');
        const [plan] = rows[0]!['QUERY PLAN'];
        return { scans: scansOf(plan.Plan), ms: round(plan['Execution Time']) };
      } finally {
        client.release();
      }
    };
    return {
      build_ms: round(buildMs),
      statements: statements.map((s) => ({ statement: s.sql.replace(/\s+/g, ' ').slice(0, 110), ms: s.ms })),
      this_process_ms: round(buildMs - dbMs),
      severity_lookup: severity
        ? { ids: (severity.params[0] as unknown[]).length, as_planned: await explain(true), with_enable_seqscan_off: await explain(false) }
        : null,
    };
  } finally {
    await recording.destroy();
  }
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

/** The scans of a plan, e.g. `Seq Scan on advisories`, `Bitmap Index Scan using advisories_by_alias`. */
function scansOf(node: PlanNode): string[] {
  const own = /Scan/.test(node['Node Type'])
    ? [
        `${node['Node Type']}${node['Relation Name'] ? ` on ${node['Relation Name']}` : ''}${node['Index Name'] ? ` using ${node['Index Name']}` : ''}`,
      ]
    : [];
  return [...own, ...(node.Plans ?? []).flatMap(scansOf)];
}

export async function matchLarge(url: string, pool: Pool, builder: ReportBuilder, image: FleetImage) {
  await storeSboms(pool, [image]);
  // The database as the import left it (nothing vacuumed or analyzed: autovacuum is off here).
  const asImported = await timedBuilds(builder, image.manifestDigest, 1, MATCH_RUNS_AS_IMPORTED);
  const vacuumStarted = performance.now();
  await pool.query(
    'VACUUM ANALYZE worker.advisories, worker.affected_packages, worker.feeds, worker.vulndb_versions, worker.sboms, worker.sbom_packages',
  );
  const vacuumSeconds = (performance.now() - vacuumStarted) / 1000;
  const { sorted, report } = await timedBuilds(builder, image.manifestDigest, MATCH_WARMUP, MATCH_RUNS);
  const oneBuild = await breakdown(url, pool, image.manifestDigest);
  const result = {
    packages: image.sbom.packages.length,
    packages_by_type: countBy(image.sbom.packages.map((p) => p.type)),
    document_kb: Math.round(JSON.stringify(image.sbom).length / 1024),
    warmup_runs: MATCH_WARMUP,
    runs: MATCH_RUNS,
    p50_ms: round(percentile(sorted, 50)),
    p99_ms: round(percentile(sorted, 99)),
    min_ms: round(sorted[0]!),
    max_ms: round(sorted[sorted.length - 1]!),
    as_imported: {
      runs: MATCH_RUNS_AS_IMPORTED,
      p50_ms: round(percentile(asImported.sorted, 50)),
      max_ms: round(asImported.sorted[asImported.sorted.length - 1]!),
    },
    vacuum_analyze_s: round(vacuumSeconds, 2),
    findings: report.summary.total,
    fixable: report.summary.fixable,
    by_severity: report.summary.by_severity,
    coverage: report.coverage,
    one_build: oneBuild,
    note:
      'ReportBuilder.build (the worker’s matcher: SBOM read + validation, candidate query, matching, severity lookup) in this process, one at a time, ' +
      'after VACUUM ANALYZE of the vulndb tables; as_imported: before it',
  };
  log({ match_one_sbom: result });
  return result;
}

/** validateSbom of fleet SBOMs (ReportBuilder.build runs it, and so does a rematch's SbomStore.latest before it). */
export function validationCost(pools: Pools, packages: number): number {
  const parsed = Array.from({ length: 100 }, (_, i) => JSON.parse(JSON.stringify(fleetImage(pools, i * 97, packages).sbom)) as unknown);
  const started = performance.now();
  for (const doc of parsed) validateSbom(doc);
  return round((performance.now() - started) / parsed.length, 2);
}

/** ReportBuilder over the whole fleet in this process, `IN_PROCESS_CONCURRENCY` at a time, up to the cap. */
export async function rematchInProcess(pool: Pool, builder: ReportBuilder, validateMs: number, exclude: string) {
  const { rows } = await pool.query<{ d: string }>(
    `SELECT manifest_digest AS d FROM worker.sboms WHERE manifest_digest <> $1 ORDER BY created_at`,
    [exclude],
  );
  const fleet = rows.map((row) => row.d);
  const times: number[] = [];
  const unknownShare: number[] = [];
  let next = 0;
  let findings = 0;
  const activity = await new ActivitySampler(pool).start();
  const started = performance.now();
  const deadline = started + IN_PROCESS_CAP_S * 1000;
  await Promise.all(
    Array.from({ length: IN_PROCESS_CONCURRENCY }, async () => {
      while (next < fleet.length && performance.now() < deadline) {
        const digest = fleet[next++]!;
        const t = performance.now();
        const report = await builder.build(digest, ANALYZER_VERSION);
        times.push(performance.now() - t);
        findings += report.summary.total;
        if (report.summary.total)
          unknownShare.push(
            report.findings.filter((f) => f.severitySource !== 'feed' && f.severitySource !== 'cvss').length / report.summary.total,
          );
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const database = await activity.stop();
  const sorted = [...times].sort((a, b) => a - b);
  const done = times.length;
  const result = {
    mode:
      done === fleet.length
        ? 'all SBOMs of the fleet'
        : `a timed sample: the first ${done} of ${fleet.length} SBOMs within ${IN_PROCESS_CAP_S} s, extrapolated`,
    concurrency: IN_PROCESS_CONCURRENCY,
    note: 'one Node process (one thread) running ReportBuilder.build; reports are computed, not stored',
    sboms: done,
    seconds: round(seconds, 2),
    sboms_per_s: round(done / seconds, 2),
    projected_full_fleet_s: round((seconds * fleet.length) / Math.max(1, done)),
    build_p50_ms: round(percentile(sorted, 50)),
    build_p99_ms: round(percentile(sorted, 99)),
    findings_avg: round(findings / Math.max(1, done)),
    findings_needing_severity_lookup_share: round(unknownShare.reduce((a, b) => a + b, 0) / Math.max(1, unknownShare.length), 2),
    validate_sbom_ms_per_sbom: validateMs,
    database,
  };
  log({ rematch_all_in_process: result });
  return result;
}
