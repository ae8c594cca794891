import { randomUUID } from 'node:crypto';
import { publishEvents, TestPlatform, waitFor } from '../support/platform';

interface StatusRow {
  status: string;
  reason: string | null;
  attempts: number;
  request_id: string | null;
  scan_id: string | null;
  last_completed_scan_id: string | null;
}

interface Requested {
  requestId: string;
  image: string;
  trigger: string;
  forceRescan: boolean;
  viaCache: boolean;
}

const UPSTREAM = 'registry.example.com';
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
const digestOf = (n: number) => `sha256:${n.toString(16).padStart(64, '0')}`;

/**
 * security-status driven through its real inputs: the cache's and the scheduler's events, as
 * they would publish them, on a real broker and database. What it decides shows in its table
 * and in the ScanRequested events of its outbox. It runs alone: it reads neither the cache's nor
 * the scheduler's tables, everything it knows comes in their events.
 */
describe('security-status', () => {
  let platform: TestPlatform;
  let next = 0;

  beforeAll(async () => {
    platform = new TestPlatform();
    await platform.start('security-status', { STATUS_RETRY_DELAY_SECONDS: '1', STATUS_RETRY_POLL_MS: '200', STATUS_MAX_SCANS: '3' });
  });

  afterAll(async () => {
    await platform?.stop();
  });

  const newManifest = () => ({ repository: `team/app${++next}`, digest: digestOf(next) });

  const statusOf = async (repository: string, digest: string): Promise<StatusRow | undefined> =>
    (
      await platform.query<StatusRow>(
        `SELECT status, reason, attempts, request_id, scan_id, last_completed_scan_id FROM status.manifest_security_status
         WHERE upstream = $1 AND repository = $2 AND manifest_digest = $3`,
        [UPSTREAM, repository, digest],
      )
    )[0];

  const waitForStatus = (repository: string, digest: string, wanted: Partial<StatusRow>) =>
    waitFor(
      async () => {
        const row = await statusOf(repository, digest);
        return row && Object.entries(wanted).every(([key, value]) => row[key as keyof StatusRow] === value) ? row : undefined;
      },
      { what: `${repository}@${digest} to be ${JSON.stringify(wanted)}` },
    );

  const requestsFor = async (repository: string, digest: string): Promise<Requested[]> =>
    (
      await platform.query<{ payload: Requested }>(
        `SELECT envelope->'payload' AS payload FROM status.outbox WHERE type = 'scan.requested.v1' AND envelope->'payload'->>'image' = $1 ORDER BY id`,
        [`${UPSTREAM}/${repository}@${digest}`],
      )
    ).map((row) => row.payload);

  const cached = (repository: string, digest: string, extra: object = {}) =>
    publishEvents(platform, [
      {
        type: 'manifest.cached.v1',
        tenantId: 'default',
        payload: { upstream: UPSTREAM, repository, digest, mediaType: DOCKER_MANIFEST, ...extra },
      },
    ]);

  /** The scheduler's answer to a request: accepted as `scanId`, then (as it would, later) started. */
  const acceptAndStart = async (requestId: string, scanId = randomUUID()) => {
    await publishEvents(platform, [
      { type: 'scan.accepted.v1', tenantId: 'default', payload: { requestId, scanId, image: 'x', deduplicated: false } },
    ]);
    await waitFor(
      async () => (await platform.query(`SELECT 1 FROM status.manifest_security_status WHERE scan_id = $1`, [scanId])).length > 0,
      { what: `scan ${scanId} to be followed` },
    );
    await publishEvents(platform, [{ type: 'scan.started.v1', tenantId: 'default', payload: { scanId, image: 'x', attempt: 1 } }]);
    return scanId;
  };

  const fail = (scanId: string, code: string) =>
    publishEvents(platform, [
      { type: 'scan.failed.v1', tenantId: 'default', payload: { scanId, image: 'x', error: { code, message: `${code} in test` } } },
    ]);

  it('requests a cache-only scan of a new manifest and follows the scan it was answered with', async () => {
    const { repository, digest } = newManifest();
    await cached(repository, digest);
    const row = await waitForStatus(repository, digest, { status: 'queued', attempts: 1 });
    const [request] = await requestsFor(repository, digest);
    expect(request).toMatchObject({ trigger: 'manifest_cached', forceRescan: false, viaCache: true, requestId: row.request_id });

    const scanId = await acceptAndStart(request.requestId);
    await waitForStatus(repository, digest, { status: 'in_progress', scan_id: scanId });
    await publishEvents(platform, [
      {
        type: 'scan.completed.v1',
        tenantId: 'default',
        payload: {
          scanId,
          image: 'x',
          result: { manifestDigest: digest, mediaType: DOCKER_MANIFEST, platform: { os: 'linux', architecture: 'amd64' }, layers: [] },
        },
      },
    ]);
    await waitForStatus(repository, digest, { status: 'completed', last_completed_scan_id: scanId, reason: null });
  });

  it('asks again after a delay when the scheduler failed the scan for good, then gives up', async () => {
    const { repository, digest } = newManifest();
    await cached(repository, digest);
    for (let attempt = 1; attempt <= 3; attempt++) {
      await waitForStatus(repository, digest, { status: 'queued', attempts: attempt });
      const requests = await requestsFor(repository, digest);
      expect(requests).toHaveLength(attempt);
      const scanId = await acceptAndStart(requests[attempt - 1].requestId);
      await waitForStatus(repository, digest, { status: 'in_progress', scan_id: scanId });
      await fail(scanId, 'unreachable');
    }
    await waitForStatus(repository, digest, { status: 'retries_exhausted', reason: 'unreachable', attempts: 3 });
    await new Promise((r) => setTimeout(r, 1500));
    expect(await requestsFor(repository, digest)).toHaveLength(3);
  });

  it('ignores the events of a scan it no longer follows, and handles a redelivered event once', async () => {
    const { repository, digest } = newManifest();
    await cached(repository, digest);
    const first = (await waitForStatus(repository, digest, { status: 'queued', attempts: 1 })).request_id as string;
    const stale = await acceptAndStart(first);
    await waitForStatus(repository, digest, { status: 'in_progress', scan_id: stale });
    await fail(stale, 'unreachable');
    const current = await waitFor(async () => (await requestsFor(repository, digest))[1], { what: 'the second request' });
    await acceptAndStart(current.requestId);
    await fail(stale, 'layer_too_large'); // an old scan's late event
    await new Promise((r) => setTimeout(r, 800));
    expect(await statusOf(repository, digest)).toMatchObject({ status: 'in_progress', attempts: 2 });

    const event = {
      id: randomUUID(),
      type: 'manifest.cached.v1',
      tenantId: 'default',
      payload: { upstream: UPSTREAM, repository: 'team/twice', digest, mediaType: DOCKER_MANIFEST },
    };
    await publishEvents(platform, [event, event]);
    await waitForStatus('team/twice', digest, { status: 'queued' });
    await new Promise((r) => setTimeout(r, 800));
    expect(await requestsFor('team/twice', digest)).toHaveLength(1);
  });

  it('does not scan indexes or artifacts, and a layer over the limit is not retried', async () => {
    const index = newManifest();
    await cached(index.repository, index.digest, { mediaType: 'application/vnd.oci.image.index.v1+json' });
    await waitForStatus(index.repository, index.digest, { status: 'unsupported', reason: 'manifest_list' });
    const chart = newManifest();
    await cached(chart.repository, chart.digest, {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      configMediaType: 'application/vnd.cncf.helm.config.v1+json',
    });
    await waitForStatus(chart.repository, chart.digest, { status: 'unsupported', reason: 'not_a_container_image' });

    const big = newManifest();
    await cached(big.repository, big.digest);
    const row = await waitForStatus(big.repository, big.digest, { status: 'queued', attempts: 1 });
    const scanId = await acceptAndStart(row.request_id as string);
    await waitForStatus(big.repository, big.digest, { status: 'in_progress' });
    await fail(scanId, 'layer_too_large');
    await waitForStatus(big.repository, big.digest, { status: 'layer_too_large' });
    await new Promise((r) => setTimeout(r, 1500));
    for (const m of [index, chart]) expect(await requestsFor(m.repository, m.digest)).toHaveLength(0);
    expect(await requestsFor(big.repository, big.digest)).toHaveLength(1);
  });

  it('waits for ManifestComplete when a manifest arrives complete, and a complete manifest is scanned even past a failing scan', async () => {
    const whole = newManifest();
    await cached(whole.repository, whole.digest, { complete: true });
    await waitForStatus(whole.repository, whole.digest, { status: 'queued', attempts: 0 });
    await publishEvents(platform, [
      {
        type: 'manifest.complete.v1',
        tenantId: 'default',
        payload: { upstream: UPSTREAM, repository: whole.repository, digest: whole.digest },
      },
    ]);
    await waitForStatus(whole.repository, whole.digest, { status: 'queued', attempts: 1 });
    expect(await requestsFor(whole.repository, whole.digest)).toMatchObject([
      { trigger: 'manifest_complete', forceRescan: true, viaCache: true },
    ]);

    // layers missing → unsupported; ManifestComplete → reset and a forced scan at once
    const partial = newManifest();
    await cached(partial.repository, partial.digest);
    const row = await waitForStatus(partial.repository, partial.digest, { status: 'queued', attempts: 1 });
    await fail(await acceptAndStart(row.request_id as string), 'layers_unavailable');
    await waitForStatus(partial.repository, partial.digest, { status: 'unsupported', reason: 'layers_unavailable' });
    await new Promise((r) => setTimeout(r, 1500));
    expect(await requestsFor(partial.repository, partial.digest)).toHaveLength(1); // no retry: it waits for ManifestComplete
    await publishEvents(platform, [
      {
        type: 'manifest.complete.v1',
        tenantId: 'default',
        payload: { upstream: UPSTREAM, repository: partial.repository, digest: partial.digest },
      },
    ]);
    await waitForStatus(partial.repository, partial.digest, { status: 'queued', reason: null, attempts: 1 });
    expect((await requestsFor(partial.repository, partial.digest)).map((r) => r.trigger)).toEqual(['manifest_cached', 'manifest_complete']);
  });

  it("applies a scan's events heard before the ScanAccepted that names it, and a running scan's state on acceptance", async () => {
    const early = newManifest();
    await cached(early.repository, early.digest);
    const row = await waitForStatus(early.repository, early.digest, { status: 'queued', attempts: 1 });
    const scanId = randomUUID();
    await publishEvents(platform, [{ type: 'scan.started.v1', tenantId: 'default', payload: { scanId, image: 'x', attempt: 1 } }]);
    await fail(scanId, 'layer_too_large');
    await waitFor(
      async () =>
        (await platform.query(`SELECT 1 FROM status.early_scan_states WHERE scan_id = $1 AND status = 'failed'`, [scanId])).length > 0,
      {
        what: 'the early failure to be kept',
      },
    );
    expect(await statusOf(early.repository, early.digest)).toMatchObject({ status: 'queued', scan_id: null });
    await publishEvents(platform, [
      { type: 'scan.accepted.v1', tenantId: 'default', payload: { requestId: row.request_id, scanId, image: 'x', deduplicated: false } },
    ]);
    await waitForStatus(early.repository, early.digest, { status: 'layer_too_large', scan_id: scanId });
    expect(await platform.query(`SELECT 1 FROM status.early_scan_states WHERE scan_id = $1`, [scanId])).toHaveLength(0);

    // deduplicated into a scan that started long ago: no ScanStarted will come
    const joined = newManifest();
    await cached(joined.repository, joined.digest);
    const second = await waitForStatus(joined.repository, joined.digest, { status: 'queued', attempts: 1 });
    const running = randomUUID();
    await publishEvents(platform, [
      {
        type: 'scan.accepted.v1',
        tenantId: 'default',
        payload: { requestId: second.request_id, scanId: running, image: 'x', deduplicated: true, status: 'running' },
      },
    ]);
    await waitForStatus(joined.repository, joined.digest, { status: 'in_progress', scan_id: running });
  });

  it('asks again at once when the manifest was complete before its scan failed for missing layers', async () => {
    const raced = newManifest();
    await cached(raced.repository, raced.digest);
    const row = await waitForStatus(raced.repository, raced.digest, { status: 'queued', attempts: 1 });
    const completedAt = new Date().toISOString(); // the last blob lands while the scan runs
    await fail(await acceptAndStart(row.request_id as string), 'layers_unavailable');
    await waitForStatus(raced.repository, raced.digest, { status: 'unsupported', reason: 'layers_unavailable' });
    await publishEvents(platform, [
      {
        type: 'manifest.complete.v1',
        tenantId: 'default',
        payload: { upstream: UPSTREAM, repository: raced.repository, digest: raced.digest, completedAt },
      },
    ]);
    // asked again, not reset: the failed scan counts
    await waitForStatus(raced.repository, raced.digest, { status: 'queued', attempts: 2 });
    expect((await requestsFor(raced.repository, raced.digest)).map((r) => r.trigger)).toEqual(['manifest_cached', 'manifest_complete']);
  });
});
