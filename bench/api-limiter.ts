/**
 * The cost of the gateway's limits (issue 12), measured inside the API benchmark: the same
 * GET /api/v1/scans/{id} load on a gateway with its limits off and on (a per-key limit the load never
 * reaches, so every request is counted in Postgres and none refused), alternated to spread the
 * machine's noise over both; then what refusing costs: a key over its limit, and an address over
 * its auth-failure limit sending random keys. All gateways share the platform's database.
 */
import type autocannon from 'autocannon';
import { randomBytes } from 'node:crypto';
import { ADMIN_KEY, ServiceProcess, TestPlatform } from '../test/support/platform';

export interface LoadSummary {
  throughput_rps: number;
  latency_ms: { p50: number; p90: number; p99: number; max: number };
  non_2xx: number;
  requests: number;
}

export interface MeasuredLoad extends LoadSummary {
  gateway_cpu_ms_per_request: number;
  db_transactions_per_request: number;
  rate_window_writes_per_request: number;
}

export type Load = (title: string, options: autocannon.Options) => Promise<LoadSummary>;

/** A per-key limit no benchmark reaches: the limiter counts every request and refuses none. */
export const UNREACHED_LIMITS = { API_RATE_LIMIT_PER_MINUTE: '1000000000', AUTH_FAILURE_LIMIT_PER_MINUTE: '1000000' };
const LIMITS_OFF = { API_RATE_LIMIT_PER_MINUTE: '0', AUTH_FAILURE_LIMIT_PER_MINUTE: '0' };

/** Rounds of off/on; each figure reported is the median of its rounds. */
const ROUNDS = 3;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function medianOf(runs: MeasuredLoad[]) {
  return {
    throughput_rps: median(runs.map((run) => run.throughput_rps)),
    gateway_cpu_ms_per_request: median(runs.map((run) => run.gateway_cpu_ms_per_request)),
    db_transactions_per_request: median(runs.map((run) => run.db_transactions_per_request)),
    rate_window_writes_per_request: median(runs.map((run) => run.rate_window_writes_per_request)),
    latency_ms: {
      p50: median(runs.map((run) => run.latency_ms.p50)),
      p90: median(runs.map((run) => run.latency_ms.p90)),
      p99: median(runs.map((run) => run.latency_ms.p99)),
    },
    non_2xx: runs.reduce((sum, run) => sum + run.non_2xx, 0),
    rounds: runs.length,
  };
}

/**
 * What a load cost besides wall-clock time, which this shared machine makes noisy: the gateway's
 * CPU time and the database's committed transactions (each query outside a transaction is one
 * round-trip), per request.
 */
async function resources(platform: TestPlatform, gateway: ServiceProcess) {
  // pg_stat_database is flushed by backends at most once a second
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
  const cpuSeconds = Number(/^process_cpu_seconds_total (\S+)$/m.exec(metrics)?.[1] ?? NaN);
  const [{ commits, windowWrites }] = await platform.query<{ commits: number; windowWrites: number }>(
    `SELECT (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database())::float8 AS commits,
            (SELECT n_tup_ins + n_tup_upd FROM pg_stat_user_tables WHERE schemaname = 'gateway' AND relname = 'rate_windows')::float8 AS "windowWrites"`,
  );
  return { cpuSeconds, commits, windowWrites };
}

async function measured(platform: TestPlatform, gateway: ServiceProcess, run: () => Promise<LoadSummary>): Promise<MeasuredLoad> {
  const before = await resources(platform, gateway);
  const summary = await run();
  const after = await resources(platform, gateway);
  return {
    ...summary,
    gateway_cpu_ms_per_request: Math.round(((after.cpuSeconds - before.cpuSeconds) * 1e6) / summary.requests) / 1000,
    // less the two reads of pg_stat_database itself
    db_transactions_per_request: Math.round(((after.commits - before.commits - 2) / summary.requests) * 100) / 100,
    // the limiter's own round-trips (each upsert writes its row once), free of other services' queries
    rate_window_writes_per_request: Math.round(((after.windowWrites - before.windowWrites) / summary.requests) * 1000) / 1000,
  };
}

const refusal = (run: MeasuredLoad) => ({
  throughput_rps: run.throughput_rps,
  latency_ms: run.latency_ms,
  requests: run.requests,
  non_2xx: run.non_2xx,
  gateway_cpu_ms_per_request: run.gateway_cpu_ms_per_request,
  db_transactions_per_request: run.db_transactions_per_request,
  rate_window_writes_per_request: run.rate_window_writes_per_request,
});

export async function limiterCost(platform: TestPlatform, scanIds: string[], load: Load, durationS: number) {
  const off = await platform.start('gateway', LIMITS_OFF);
  const on = await platform.start('gateway', UNREACHED_LIMITS);
  const headers = { authorization: `Bearer ${ADMIN_KEY}` };
  const get = (gateway: ServiceProcess, title: string) => {
    let next = 0;
    return measured(platform, gateway, () =>
      load(title, {
        url: gateway.url,
        headers,
        duration: durationS,
        requests: [{ setupRequest: (request) => ({ ...request, path: `/api/v1/scans/${scanIds[next++ % scanIds.length]}` }) }],
      }),
    );
  };
  const offRuns: MeasuredLoad[] = [];
  const onRuns: MeasuredLoad[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    offRuns.push(await get(off, `GET /api/v1/scans/{id}, limits off (round ${round + 1})`));
    onRuns.push(await get(on, `GET /api/v1/scans/{id}, per-key limit counted in Postgres (round ${round + 1})`));
  }
  const [{ windows }] = await platform.query<{ windows: number }>(`SELECT count(*)::int AS windows FROM gateway.rate_windows`);

  // a key over its limit: every answer is a 429 this replica gives by itself until the minute ends
  const tight = await platform.start('gateway', { API_RATE_LIMIT_PER_MINUTE: '1' });
  const overKey = await get(tight, 'GET /api/v1/scans/{id}, the key over its limit (429)');
  // random keys from one address over its failure limit: 429 before any key lookup
  const overAddress = await measured(platform, tight, () =>
    load('GET /api/v1/scans with random keys, the address over AUTH_FAILURE_LIMIT_PER_MINUTE (429)', {
      url: `${tight.url}/api/v1/scans`,
      duration: durationS,
      requests: [
        { setupRequest: (request) => ({ ...request, headers: { authorization: `Bearer vsk_${randomBytes(32).toString('base64url')}` } }) },
      ],
    }),
  );

  const limitsOff = medianOf(offRuns);
  const limitsOn = medianOf(onRuns);
  return {
    note: 'GET /api/v1/scans/{id} with the admin key; medians of alternated rounds on gateways sharing one database',
    limits_off: limitsOff,
    per_key_limit_counted: limitsOn,
    cost: {
      throughput_change_pct: Math.round((limitsOn.throughput_rps / limitsOff.throughput_rps - 1) * 1000) / 10,
      p50_added_ms: limitsOn.latency_ms.p50 - limitsOff.latency_ms.p50,
      p99_added_ms: limitsOn.latency_ms.p99 - limitsOff.latency_ms.p99,
      gateway_cpu_ms_added_per_request:
        Math.round((limitsOn.gateway_cpu_ms_per_request - limitsOff.gateway_cpu_ms_per_request) * 1000) / 1000,
      db_transactions_added_per_request:
        Math.round((limitsOn.db_transactions_per_request - limitsOff.db_transactions_per_request) * 100) / 100,
    },
    rate_window_rows_after: windows,
    refusing: {
      key_over_limit: refusal(overKey),
      address_over_failure_limit: refusal(overAddress),
    },
  };
}
