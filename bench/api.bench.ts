/**
 * Issue #2 benchmark: the scan API and event delivery on this machine, against real Postgres,
 * RabbitMQ and docker-registry. Writes bench/results/api.json.
 *
 *  - POST /api/v1/scans with distinct images (no request is a cheap dedupe hit): throughput, p50/p99
 *  - GET /api/v1/scans/{id}: throughput, p50/p99
 *  - outbox-to-consumer latency of every worker → scheduler event during real scans: p50/p99
 *  - the rate limiter's cost (issue 12, bench/api-limiter.ts): GET with the limits off and on, and refusals
 */
import autocannon from 'autocannon';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { fixturesDir, pushImage, startRegistry } from '@vulnscan/testing';
import { Api, waitForScan } from '../test/support/api';
import { limiterCost, UNREACHED_LIMITS } from './api-limiter';
import { ADMIN_KEY, ROOT, TestPlatform } from '../test/support/platform';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 15);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);

async function load(title: string, options: autocannon.Options) {
  const result = await autocannon({ duration: DURATION_S, connections: CONNECTIONS, ...options });
  const summary = {
    title,
    connections: CONNECTIONS,
    duration_s: options.duration ?? DURATION_S,
    requests: result.requests.total,
    throughput_rps: Math.round(result.requests.average),
    latency_ms: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
    non_2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
  console.log(JSON.stringify(summary));
  return summary;
}

/** Worker outbox commit → scheduler handler, per event, from the two services' own tables. */
async function eventLatency(platform: TestPlatform, since: Date) {
  const [row] = await platform.query<{ events: number; p50_ms: number; p99_ms: number; max_ms: number }>(
    `SELECT count(*)::int AS events,
            round((percentile_cont(0.5) WITHIN GROUP (ORDER BY ms))::numeric, 2)::float AS p50_ms,
            round((percentile_cont(0.99) WITHIN GROUP (ORDER BY ms))::numeric, 2)::float AS p99_ms,
            round(max(ms)::numeric, 2)::float AS max_ms
     FROM (
       SELECT extract(epoch FROM (i.received_at - o.created_at)) * 1000 AS ms
       FROM worker.outbox o JOIN scheduler.inbox i ON i.message_id = o.id
       WHERE o.created_at >= $1
     ) deliveries`,
    [since],
  );
  return row;
}

async function main(): Promise<void> {
  const registry = await startRegistry();
  const digest = await pushImage(join(fixturesDir(), 'images/alpine-310.docker.tar.gz'), registry, 'library/alpine:3.10');
  const passThrough: Record<string, string> = process.env.OTEL_SDK_DISABLED ? { OTEL_SDK_DISABLED: process.env.OTEL_SDK_DISABLED } : {};
  const platform = new TestPlatform({ INSECURE_REGISTRIES: registry.host, LOG_LEVEL: 'warn', DATABASE_POOL_SIZE: '20', ...passThrough });
  const platforms = [platform];
  try {
    await platform.start('scan-scheduler');
    // BENCH_PROFILE=<dir> writes a V8 CPU profile of the gateway there.
    const profile = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
    // the limits are on (issue 12): every request below is counted, none refused
    const gateway = await platform.start('gateway', UNREACHED_LIMITS, { nodeArgs: profile });
    const api = new Api(gateway.url);
    const headers = { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' };

    // Warm-up: connections, caches, JIT.
    await load('warm-up', {
      url: `${gateway.url}/api/v1/scans`,
      method: 'POST',
      headers,
      duration: 3,
      body: JSON.stringify({ image: 'warm/up:1', force_rescan: true }),
    });

    let counter = 0;
    const post = await load('POST /api/v1/scans (distinct images)', {
      url: `${gateway.url}/api/v1/scans`,
      method: 'POST',
      headers,
      requests: [
        { setupRequest: (request) => ({ ...request, body: JSON.stringify({ image: `127.0.0.1:1/bench/image-${counter++}:1` }) }) },
      ],
    });

    const ids = (await api.get<{ items: { scan_id: string }[] }>('/api/v1/scans?limit=200')).body.items.map((item) => item.scan_id);
    let next = 0;
    const get = await load('GET /api/v1/scans/{id}', {
      url: gateway.url,
      headers,
      requests: [{ setupRequest: (request) => ({ ...request, path: `/api/v1/scans/${ids[next++ % ids.length]}` }) }],
    });

    const rateLimiter = await limiterCost(platform, ids, load, DURATION_S);
    console.log(JSON.stringify({ title: 'rate limiter cost', ...rateLimiter.cost }));

    // Event latency on a fresh platform (the load above left thousands of queued scans behind):
    // real scans through a worker; each attempt's events go worker outbox → scheduler handler.
    await platform.stop();
    const fresh = new TestPlatform({ INSECURE_REGISTRIES: registry.host, LOG_LEVEL: 'warn' });
    platforms.push(fresh);
    await fresh.start('scan-scheduler');
    await fresh.start('scanner-worker', { SCAN_CONCURRENCY: '4' });
    const freshApi = new Api((await fresh.start('gateway', UNREACHED_LIMITS)).url);
    const image = `${registry.host}/library/alpine@${digest}`;
    for (let round = 0; round < 20; round++) {
      const created = await Promise.all(
        Array.from({ length: 10 }, () => freshApi.post<{ scan_id: string }>('/api/v1/scans', { image, force_rescan: true })),
      );
      await Promise.all(created.map((answer) => waitForScan(freshApi, answer.body.scan_id, 120000)));
    }
    const latency = await eventLatency(fresh, new Date(0));

    // The same with one scan at a time: delivery latency without queueing behind other scans.
    const quietSince = new Date();
    for (let i = 0; i < 30; i++) {
      const created = await freshApi.post<{ scan_id: string }>('/api/v1/scans', { image, force_rescan: true });
      await waitForScan(freshApi, created.body.scan_id, 120000);
    }
    const quietLatency = await eventLatency(fresh, quietSince);
    console.log(JSON.stringify({ title: 'event latency, one scan at a time', ...quietLatency }));
    console.log(JSON.stringify({ title: 'event latency under load (worker outbox commit → scheduler handler)', ...latency }));

    const results = {
      issue: 2,
      date: new Date().toISOString(),
      machine: { cores: cpus().length, cpu: cpus()[0]?.model, memory_gib: Math.round(totalmem() / 2 ** 30), node: process.version },
      note: 'autocannon, gateway, scheduler, worker, Postgres and RabbitMQ all share this machine',
      post_scans: post,
      get_scan: get,
      rate_limiter: rateLimiter,
      event_latency_ms: { under_load_10_concurrent_scans: latency, one_scan_at_a_time: quietLatency },
      targets: {
        post_rps_min: 1000,
        post_p99_ms_max: 50,
        event_p50_ms_max: 20,
        met: {
          post_rps: post.throughput_rps >= 1000,
          post_p99: post.latency_ms.p99 <= 50,
          event_p50_under_load: latency.p50_ms <= 20,
          event_p50_one_at_a_time: quietLatency.p50_ms <= 20,
        },
      },
    };
    mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
    writeFileSync(join(ROOT, 'bench/results/api.json'), `${JSON.stringify(results, null, 2)}\n`);
    console.log(`written to bench/results/api.json`);
  } finally {
    for (const each of platforms) await each.stop();
    await registry.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
