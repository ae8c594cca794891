/**
 * Issue #6 benchmark: a 10,000-image bulk scan whose scans finish fast (every tag points at one
 * digest whose SBOM is already stored, so a scan is: fetch the manifest with the tenant's
 * credentials, match the stored SBOM, store the report). Measures scans per second through the
 * scheduler (bulk accepted → last scan finished) and GET /api/v1/scans/{id} latency while the
 * bulk runs. Real Postgres, RabbitMQ and docker-registry. Writes bench/results/bulk.json.
 */
import autocannon from 'autocannon';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { fixturesDir, pushImage, retagManifest, startRegistry } from '@vulnscan/testing';
import { UNREACHED_LIMITS } from './api-limiter';
import { Api, waitForScan } from '../test/support/api';
import { ADMIN_KEY, ROOT, TestPlatform } from '../test/support/platform';

const IMAGES = Number(process.env.BENCH_BULK_IMAGES ?? 10000);
const WORKERS = Number(process.env.BENCH_BULK_WORKERS ?? 2);
const CONCURRENCY = Number(process.env.BENCH_BULK_CONCURRENCY ?? 8);

interface BatchView {
  status: string;
  counts: Record<string, number>;
}

async function main(): Promise<void> {
  const registry = await startRegistry();
  const platform = new TestPlatform({
    INSECURE_REGISTRIES: registry.host,
    LOG_LEVEL: 'warn',
    DATABASE_POOL_SIZE: '20',
    SCAN_CONCURRENCY: String(CONCURRENCY),
    MAX_IN_FLIGHT: '200',
    MAX_IN_FLIGHT_PER_REGISTRY: '200',
    DISPATCH_POLL_MS: '200',
  });
  try {
    await pushImage(join(fixturesDir(), 'images/alpine-310.docker.tar.gz'), registry, 'library/alpine:base');
    const tagStarted = Date.now();
    const references = await retagManifest(
      registry,
      'library/alpine',
      'base',
      Array.from({ length: IMAGES }, (_, i) => `t${i}`),
      16,
    );
    console.log(`${IMAGES} tags put in ${((Date.now() - tagStarted) / 1000).toFixed(1)} s`);

    await platform.start('scan-scheduler');
    // GET latency under load is measured; the per-key limit must not refuse it
    const gateway = await platform.start('gateway', UNREACHED_LIMITS);
    for (let i = 0; i < WORKERS; i++) await platform.start('scanner-worker');
    const api = new Api(gateway.url);
    // the SBOM of the one digest is generated once, here
    const first = await api.post<{ scan_id: string }>('/api/v1/scans', { image: `${registry.host}/library/alpine:base` });
    await waitForScan(api, first.body.scan_id, 120000);

    const accepted = Date.now();
    const bulk = await api.post<{ batch_id: string; count: number }>('/api/v1/scans/bulk', { images: references });
    const acceptMs = Date.now() - accepted;
    if (bulk.status !== 202) throw new Error(`bulk answered ${bulk.status}: ${JSON.stringify(bulk.body)}`);
    console.log(`bulk of ${bulk.body.count} accepted in ${acceptMs} ms`);
    const ids = (
      await platform.query<{ id: string }>(`SELECT id FROM scheduler.scans WHERE batch_id = $1 LIMIT 1000`, [bulk.body.batch_id])
    ).map((row) => row.id);

    // GET load for as long as the bulk runs
    let done = false;
    let finishedAt = 0;
    const watcher = (async () => {
      while (!done) {
        const batch = await api.get<BatchView>(`/api/v1/batches/${bulk.body.batch_id}`);
        if (batch.body.status !== 'active') {
          finishedAt = Date.now();
          done = true;
          return batch.body;
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      return undefined;
    })();
    let next = 0;
    let stopLoad = () => {};
    const load = new Promise<autocannon.Result>((resolve, reject) => {
      const instance = autocannon(
        {
          url: gateway.url,
          connections: 8,
          duration: 3600,
          headers: { authorization: `Bearer ${ADMIN_KEY}` },
          requests: [{ setupRequest: (request) => ({ ...request, path: `/api/v1/scans/${ids[next++ % ids.length]}` }) }],
        },
        (error, result) => (error ? reject(error) : resolve(result)),
      );
      stopLoad = () => instance.stop();
    });
    const batch = await watcher;
    stopLoad();
    const get = await load;
    const seconds = (finishedAt - accepted) / 1000;
    const [spread] = await platform.query<{ first_dispatch: Date; last_finish: Date }>(
      `SELECT min(a.dispatched_at) AS first_dispatch, max(a.finished_at) AS last_finish
       FROM scheduler.scan_attempts a JOIN scheduler.scans s ON s.id = a.scan_id WHERE s.batch_id = $1`,
      [bulk.body.batch_id],
    );
    const results = {
      issue: 6,
      date: new Date().toISOString(),
      machine: { cores: cpus().length, cpu: cpus()[0]?.model, memory_gib: Math.round(totalmem() / 2 ** 30), node: process.version },
      note: `${WORKERS} scanner-workers × SCAN_CONCURRENCY ${CONCURRENCY}, one scheduler, one gateway, Postgres, RabbitMQ, docker-registry and autocannon on this machine; every tag is one digest whose SBOM is stored`,
      images: IMAGES,
      bulk_accept_ms: acceptMs,
      counts: batch?.counts,
      seconds_accepted_to_last_finished: Number(seconds.toFixed(1)),
      scans_per_second: Number((IMAGES / seconds).toFixed(1)),
      scans_per_second_first_dispatch_to_last_finish: Number(
        (IMAGES / ((spread.last_finish.getTime() - spread.first_dispatch.getTime()) / 1000)).toFixed(1),
      ),
      get_scan_while_running: {
        connections: 8,
        requests: get.requests.total,
        throughput_rps: Math.round(get.requests.average),
        latency_ms: { p50: get.latency.p50, p90: get.latency.p90, p99: get.latency.p99, max: get.latency.max },
        non_2xx: get.non2xx,
        errors: get.errors,
      },
    };
    console.log(JSON.stringify(results, null, 2));
    mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
    writeFileSync(join(ROOT, 'bench/results/bulk.json'), `${JSON.stringify(results, null, 2)}\n`);
    console.log('written to bench/results/bulk.json');
  } finally {
    await platform.stop();
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
