import { join } from 'node:path';
import { fixturesDir, pushImage, startRegistry, TestRegistry } from '@vulnscan/testing';
import { Api, ScanView, waitForScan } from '../support/api';
import { publishEvents, TestPlatform, waitFor } from '../support/platform';
import { RateLimitFront, startRateLimitFront } from '../support/rate-limit-front';

const MAX_RETRIES = 2;
const RETRY_AFTER_SECONDS = 2;
const WORKER_ID = 'retry-worker';
const MANIFEST_310 = '/v2/library/alpine/manifests/3.10';
const MANIFEST_WITHDRAWN = '/v2/library/alpine/manifests/withdrawn';

interface AttemptView {
  attempt: number;
  status: string;
  worker_id: string | null;
  dispatched_at: string;
  started_at: string | null;
  finished_at: string | null;
  error: { code: string; message: string } | null;
}

interface AttemptRow {
  attempt: number;
  status: string;
  worker_id: string | null;
  error_code: string | null;
  dispatched_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
}

interface Finished {
  scan: ScanView;
  history: AttemptView[];
  rows: AttemptRow[];
}

/**
 * The scheduler's retry policy against a real registry behind a front that misbehaves on cue:
 * a 429 with Retry-After earns a new attempt no sooner than the registry asked, a 404 fails at
 * once, and a registry that keeps failing gets SCAN_MAX_RETRIES new attempts and no more.
 * The registry client has no retry of its own: every attempt is one manifest request. The last
 * test pins a race in the scheduler (a Started handled after its Failed) that would hang a retry.
 */
describe('scan retries', () => {
  let registry: TestRegistry;
  let front: RateLimitFront;
  let down: RateLimitFront;
  let lateStart: RateLimitFront;
  let hostile: RateLimitFront;
  let platform: TestPlatform;
  let api: Api;

  beforeAll(async () => {
    registry = await startRegistry();
    const archive = join(fixturesDir(), 'images/alpine-310.docker.tar.gz');
    await pushImage(archive, registry, 'library/alpine:3.10');
    // It exists in the registry: the 404 the worker gets comes from the front alone.
    await pushImage(archive, registry, 'library/alpine:withdrawn');
    front = await startRateLimitFront(registry.url, {
      rateLimit: { path: /^\/v2\/library\/alpine\/manifests\/3\.10$/, times: 2, retryAfterSeconds: RETRY_AFTER_SECONDS },
      notFound: /^\/v2\/library\/alpine\/manifests\/withdrawn$/,
    });
    down = await startRateLimitFront(registry.url, { unavailable: /./ });
    lateStart = await startRateLimitFront(registry.url, {
      rateLimit: { path: /^\/v2\/library\/alpine\/manifests\/3\.10$/, times: 1, retryAfterSeconds: RETRY_AFTER_SECONDS },
    });
    // An error body (under the 64 KiB the client reads) of 200 long codes holding NUL and lone surrogates (JSON escapes them).
    const codes = Array.from({ length: 200 }, (_, i) => ({ code: `BAD\u0000${i}\ud800${'Z'.repeat(200)}\udc00`, message: 'no' }));
    hostile = await startRateLimitFront(registry.url, {
      hostile: { path: /\/manifests\//, status: 400, body: JSON.stringify({ errors: codes }) },
    });
    platform = new TestPlatform({
      INSECURE_REGISTRIES: `${registry.host},${front.host},${down.host},${lateStart.host},${hostile.host}`,
      SCAN_RETRY_BASE: '1s',
      SCAN_MAX_RETRIES: String(MAX_RETRIES),
    });
    await platform.start('scan-scheduler');
    const [gateway] = await Promise.all([platform.start('gateway'), platform.start('scanner-worker', { INSTANCE_ID: WORKER_ID })]);
    api = new Api(gateway.url);
  });

  afterAll(async () => {
    await platform?.stop();
    await front?.close();
    await down?.close();
    await lateStart?.close();
    await hostile?.close();
    await registry?.stop();
  });

  async function scan(image: string): Promise<Finished> {
    return finish(await create(image));
  }

  async function create(image: string): Promise<string> {
    const created = await api.post<{ scan_id: string }>('/api/v1/scans', { image });
    expect(created.status).toBe(202);
    return created.body.scan_id;
  }

  async function finish(scanId: string, timeoutMs = 90_000): Promise<Finished> {
    const finished = await waitForScan(api, scanId, timeoutMs).catch(async (error: Error) => {
      // A stuck scan is easier to diagnose with its attempts in the failure message.
      const [row] = await platform.query(`SELECT status, attempt, dispatched_at, next_attempt_at FROM scheduler.scans WHERE id = $1`, [
        scanId,
      ]);
      throw new Error(`${error.message}; scan ${JSON.stringify(row)}, attempts ${JSON.stringify(await attemptRows(scanId))}`);
    });
    const detail = await api.get<ScanView & { attempt_history: AttemptView[] }>(`/api/v1/scans/${scanId}`);
    return { scan: finished, history: detail.body.attempt_history, rows: await attemptRows(scanId) };
  }

  function attemptRows(scanId: string): Promise<AttemptRow[]> {
    return platform.query<AttemptRow>(
      `SELECT attempt, status, worker_id, error_code, dispatched_at, started_at, finished_at
       FROM scheduler.scan_attempts WHERE scan_id = $1 ORDER BY attempt`,
      [scanId],
    );
  }

  /** Every attempt ran on our worker and was started and finished, in that order. */
  function expectRecorded(history: AttemptView[]): void {
    for (const attempt of history) {
      expect(attempt.worker_id).toBe(WORKER_ID);
      expect(attempt.started_at).not.toBeNull();
      expect(attempt.finished_at).not.toBeNull();
      expect(Date.parse(attempt.finished_at!)).toBeGreaterThanOrEqual(Date.parse(attempt.started_at!));
      expect(Date.parse(attempt.started_at!)).toBeGreaterThanOrEqual(Date.parse(attempt.dispatched_at));
    }
  }

  /** Milliseconds from the end of each attempt to the dispatch and the start of the next one. */
  function waitsBetween(rows: AttemptRow[]): { dispatchedAfter: number; startedAfter: number }[] {
    return rows.slice(1).map((next, i) => ({
      dispatchedAfter: next.dispatched_at.getTime() - rows[i].finished_at!.getTime(),
      startedAfter: next.started_at!.getTime() - rows[i].finished_at!.getTime(),
    }));
  }

  it('a 429 with Retry-After earns a new attempt no sooner than asked, and the scan completes', async () => {
    const { scan: done, history, rows } = await scan(`${front.host}/library/alpine:3.10`);

    expect(done.status).toBe('completed');
    expect(done.attempts).toBe(3);
    expect(history.map((attempt) => [attempt.attempt, attempt.status, attempt.error?.code ?? null])).toEqual([
      [1, 'failed', 'rate_limited'],
      [2, 'failed', 'rate_limited'],
      [3, 'succeeded', null],
    ]);
    expectRecorded(history);

    // The worker passed the registry's Retry-After on to the scheduler with each failure.
    const reported = await platform.query<{ retry_after: number }>(
      `SELECT (envelope->'payload'->>'retryAfterSeconds')::int AS retry_after FROM worker.outbox
       WHERE type = 'scan.attempt.failed.v1' AND envelope->'payload'->>'scanId' = $1 ORDER BY created_at`,
      [done.scan_id],
    );
    expect(reported.map((row) => row.retry_after)).toEqual([RETRY_AFTER_SECONDS, RETRY_AFTER_SECONDS]);

    // One manifest request per attempt (no retry inside an attempt), each after the wait asked for.
    // SCAN_RETRY_BASE 1s alone would allow the second request within a second of the first 429.
    const manifests = front.gets(MANIFEST_310);
    expect(manifests.map((request) => request.status)).toEqual([429, 429, 200]);
    for (let i = 1; i < manifests.length; i++) {
      expect(manifests[i].at - manifests[i - 1].at).toBeGreaterThanOrEqual(RETRY_AFTER_SECONDS * 1000);
    }
    for (const wait of waitsBetween(rows)) {
      expect(wait.dispatchedAfter).toBeGreaterThanOrEqual(RETRY_AFTER_SECONDS * 1000);
      expect(wait.startedAfter).toBeGreaterThanOrEqual(RETRY_AFTER_SECONDS * 1000);
    }

    // The layers and the config came through the front untouched (the client verifies every digest).
    const blobs = front.requests.filter((request) => request.path.includes('/blobs/'));
    expect(blobs.length).toBeGreaterThanOrEqual(2);
    expect(blobs.every((request) => request.answeredBy === 'registry' && request.status === 200)).toBe(true);
  });

  it('a 404 fails the scan at once: one attempt, and the worker never asks for the manifest again', async () => {
    const { scan: failed, history } = await scan(`${front.host}/library/alpine:withdrawn`);

    expect(failed.status).toBe('failed');
    expect(failed.error?.code).toBe('not_found');
    expect(failed.attempts).toBe(1);
    expect(history.map((attempt) => [attempt.attempt, attempt.status, attempt.error?.code])).toEqual([[1, 'failed', 'not_found']]);
    expectRecorded(history);

    // A retry would have been dispatched within SCAN_RETRY_BASE (1 s) plus one dispatch poll (1 s).
    await new Promise((r) => setTimeout(r, 4000));
    const manifests = front.gets(MANIFEST_WITHDRAWN);
    expect(manifests.map((request) => [request.status, request.answeredBy])).toEqual([[404, 'front']]);
    expect(await attemptRows(failed.scan_id)).toHaveLength(1);
  });

  it("an error body of the registry's choosing (long, with NUL and lone surrogates) fails the scan at once and strands nothing", async () => {
    const hostileScan = await create(`${hostile.host}/library/alpine:3.10`);
    const normalScan = await create(`${registry.host}/library/alpine:3.10`);
    const { scan: failed, history } = await finish(hostileScan, 30_000);
    expect(failed.status).toBe('failed');
    expect(failed.error?.code).toBe('internal');
    const message = failed.error!.message;
    expect(message.length).toBeLessThanOrEqual(4000);
    expect(message).toMatch(/^registry 127\.0\.0\.1:\d+ rejected the request for manifest 3\.10 .*\(HTTP 400, BAD0.* and 195 more\)$/);
    expect(/\u0000|[\ud800-\udfff]/.test(message)).toBe(false);
    expect(history.map((attempt) => [attempt.attempt, attempt.status])).toEqual([[1, 'failed']]);
    expect((await finish(normalScan)).scan.status).toBe('completed');
  });

  it('a registry that keeps answering 503 gets SCAN_MAX_RETRIES new attempts, then the scan fails unreachable', async () => {
    const { scan: failed, history, rows } = await scan(`${down.host}/library/alpine:3.10`);

    expect(failed.status).toBe('failed');
    expect(failed.error?.code).toBe('unreachable');
    expect(failed.attempts).toBe(MAX_RETRIES + 1);
    expect(history.map((attempt) => [attempt.attempt, attempt.status, attempt.error?.code])).toEqual(
      Array.from({ length: MAX_RETRIES + 1 }, (_, i) => [i + 1, 'failed', 'unreachable']),
    );
    expectRecorded(history);
    for (const wait of waitsBetween(rows)) expect(wait.dispatchedAfter).toBeGreaterThanOrEqual(0);
    // Fewer than the breaker's volume threshold (5), so every attempt really reached the registry.
    expect(down.gets(MANIFEST_310).map((request) => request.status)).toEqual(Array(MAX_RETRIES + 1).fill(503));
  });

  it('a Started handled after its attempt already failed does not stop the retry', async () => {
    // A worker's Started and Failed are consumed concurrently, so under load the Failed can win; here on cue.
    const scanId = await create(`${lateStart.host}/library/alpine:3.10`);
    await waitFor(async () => (await attemptRows(scanId))[0]?.status === 'failed', { what: 'attempt 1 to fail rate_limited' });
    const [late] = await publishEvents(platform, [
      { type: 'scan.attempt.started.v1', tenantId: 'default', payload: { scanId, attempt: 1, workerId: WORKER_ID } },
    ]);
    const { scan: done, history, rows } = await finish(scanId, 30_000);

    expect(done.status).toBe('completed');
    expect(history.map((attempt) => [attempt.attempt, attempt.status, attempt.error?.code ?? null])).toEqual([
      [1, 'failed', 'rate_limited'],
      [2, 'succeeded', null],
    ]);
    expectRecorded(history);
    // The late Started was handled while attempt 1 was still the scan's current attempt.
    const [handled] = await platform.query<{ received_at: Date }>(
      `SELECT received_at FROM scheduler.inbox WHERE consumer = 'attempt-started' AND message_id = $1`,
      [late],
    );
    expect(handled.received_at.getTime()).toBeLessThan(rows[1].dispatched_at.getTime());
  });
});
