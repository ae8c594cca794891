import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixturesDir, pushImage, startRegistry, TestRegistry } from '@vulnscan/testing';
import { Api, ScanView, waitForFeeds } from '../support/api';
import { GatedUpstream, startGatedUpstream } from '../support/gated-upstream';
import { ServiceProcess, TestPlatform, waitFor } from '../support/platform';

interface SecurityView {
  manifest_digest: string;
  repository: string;
  status: string;
  reason: string | null;
  attempts: number;
  scan_id: string | null;
  last_completed_scan_id: string | null;
  report: { report_id: string; scan_id: string; summary: { total: number; fixable: number; by_severity: Record<string, number> } } | null;
}

interface ImageManifest {
  config: { digest: string };
  layers: { digest: string }[];
}

const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';

/**
 * The original bug: an image pulled through the cache was scanned before its layers arrived,
 * stayed "unsupported" and was never scanned again. Here the cache's upstream holds blob
 * downloads until the test lets them through, so every step of the fix is observable.
 */
describe('proxy cache → security status', () => {
  let registry: TestRegistry;
  let gate: GatedUpstream;
  let platform: TestPlatform;
  let cache: ServiceProcess;
  let status: ServiceProcess;
  let api: Api;
  let scratch: string;

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'proxy-status-e2e-'));
    cpSync(join(fixturesDir(), 'feeds', 'alpine-secdb', 'v3.10'), join(scratch, 'alpine-v3.10'), { recursive: true });
    registry = await startRegistry();
    await pushImage(join(fixturesDir(), 'images/alpine-310.docker.tar.gz'), registry, 'library/alpine:3.10');
    await pushImage(join(fixturesDir(), 'images/alpine-310.docker.tar.gz'), registry, 'team/alpine:3.10');
    gate = await startGatedUpstream(registry.url);
    platform = new TestPlatform({ INSECURE_REGISTRIES: gate.host });
    cache = await platform.start('blob-cache-worker', {
      // The client's pulls and the worker's reads here are anonymous (no CACHE_INTERNAL_TOKEN).
      CACHE_ANONYMOUS_PULLS: 'true',
      CACHE_UPSTREAMS: `${gate.host}=${gate.url}`,
      CACHE_STORAGE_DIR: join(scratch, 'cache'),
    });
    await platform.start('scan-scheduler');
    api = new Api((await platform.start('gateway')).url);
    await platform.start('scanner-worker', {
      CACHE_URL: cache.url,
      VULNDB_SOURCES: `alpine-secdb=${join(scratch, 'alpine-v3.10')}`,
      VULNDB_SYNC_INTERVAL_MINUTES: '0',
    });
    status = await platform.start('security-status');
    await waitForFeeds(api, 1);
  });

  afterAll(async () => {
    await platform?.stop();
    await gate?.close();
    await registry?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  const pullManifest = async (repository: string): Promise<{ digest: string; manifest: ImageManifest }> => {
    const response = await fetch(`${cache.url}/v2/${repository}/manifests/3.10`, { headers: { Accept: DOCKER_MANIFEST } });
    expect(response.status).toBe(200);
    const digest = response.headers.get('docker-content-digest') ?? '';
    return { digest, manifest: (await response.json()) as ImageManifest };
  };

  const security = (digest: string, repository: string) =>
    api.get<SecurityView>(`/api/v1/manifests/${digest}/security?repository=${encodeURIComponent(`${gate.host}/${repository}`)}`);

  const statusOf = (digest: string, repository: string, wanted: string, timeoutMs = 60000) =>
    waitFor(
      async () => {
        const answer = await security(digest, repository);
        return answer.status === 200 && answer.body.status === wanted ? answer.body : undefined;
      },
      { timeoutMs, what: `${repository}@${digest} to be ${wanted}` },
    );

  const scansOf = (digest: string, repository: string) =>
    platform.query<{ id: string; trigger: string; status: string; error_code: string | null; followed: boolean }>(
      `SELECT id, trigger, status, error_code, followed FROM scheduler.scans WHERE image = $1 ORDER BY created_at`,
      [`${gate.host}/${repository}@${digest}`],
    );

  const placed = async (repository: string, digest: string): Promise<boolean> => {
    const response = await fetch(`${cache.url}/v2/${repository}/blobs/${digest}`, {
      method: 'HEAD',
      headers: { 'Cache-Control': 'only-if-cached' },
    });
    return response.status === 200;
  };

  it('marks a manifest whose layers are still downloading unsupported, then scans it as soon as the last blob arrives', async () => {
    const { digest, manifest } = await pullManifest('library/alpine');
    const blobs = [manifest.config.digest, ...manifest.layers.map((layer) => layer.digest)];

    // The first scan ran from the cache only: the blobs were not there, so it failed at once.
    const first = await statusOf(digest, 'library/alpine', 'unsupported');
    expect(first).toMatchObject({ reason: 'layers_unavailable', attempts: 1, report: null });
    const failed = await api.get<ScanView>(`/api/v1/scans/${first.scan_id}`);
    expect(failed.body).toMatchObject({ status: 'failed', attempts: 1, error: { code: 'layers_unavailable' } });
    expect(await scansOf(digest, 'library/alpine')).toEqual([
      { id: first.scan_id, trigger: 'manifest_cached', status: 'failed', error_code: 'layers_unavailable', followed: true },
    ]);

    // One blob placed, the other still held: nothing resets, no scan is requested.
    gate.release(manifest.config.digest);
    await waitFor(() => placed('library/alpine', manifest.config.digest), { what: 'the config blob to be placed' });
    await new Promise((r) => setTimeout(r, 1500));
    expect((await security(digest, 'library/alpine')).body).toMatchObject({ status: 'unsupported', reason: 'layers_unavailable' });
    expect(await scansOf(digest, 'library/alpine')).toHaveLength(1);

    // The last blob lands: ManifestComplete resets the status and the new scan completes.
    gate.releaseAll();
    const done = await statusOf(digest, 'library/alpine', 'completed');
    const scans = await scansOf(digest, 'library/alpine');
    expect(scans.map((scan) => [scan.trigger, scan.status, scan.followed])).toEqual([
      ['manifest_cached', 'failed', true],
      ['manifest_complete', 'completed', true],
    ]);
    expect(done).toMatchObject({ reason: null, attempts: 1, scan_id: scans[1].id, last_completed_scan_id: scans[1].id });
    const report = await api.get<{ report_id: string; summary: { total: number } }>(`/api/v1/scans/${scans[1].id}/report`);
    expect(report.status).toBe(200);
    expect(report.body.summary.total).toBeGreaterThan(0);
    expect(done.report).toMatchObject({ report_id: report.body.report_id, scan_id: scans[1].id, summary: report.body.summary });

    // The cache fetched each blob from upstream once; the scans added no upstream pull.
    for (const blob of blobs) expect(gate.blobGets.get(blob)).toBe(1);
    const metrics = await (await fetch(`${status.url}/metrics`)).text();
    expect(metrics).toMatch(/^proxy_cache_security_reset_total 1$/m);
  });

  it('scans a manifest whose blobs were all cached already once, without a scan bound to fail', async () => {
    const { digest, manifest } = await pullManifest('team/alpine');
    const done = await statusOf(digest, 'team/alpine', 'completed');
    const scans = await scansOf(digest, 'team/alpine');
    expect(scans.map((scan) => [scan.trigger, scan.status])).toEqual([['manifest_complete', 'completed']]);
    expect(done).toMatchObject({ attempts: 1, last_completed_scan_id: scans[0].id });
    expect(done.report?.summary.total).toBeGreaterThan(0);
    for (const blob of [manifest.config.digest, ...manifest.layers.map((layer) => layer.digest)]) expect(gate.blobGets.get(blob)).toBe(1);
  });

  it('lists manifests by status and answers clear errors', async () => {
    const completed = await api.get<{ items: SecurityView[]; next_cursor: string | null }>('/api/v1/manifests?status=completed');
    expect(completed.status).toBe(200);
    expect(completed.body.items.map((item) => item.repository).sort()).toEqual([`${gate.host}/library/alpine`, `${gate.host}/team/alpine`]);
    const page = await api.get<{ items: SecurityView[]; next_cursor: string | null }>('/api/v1/manifests?limit=1');
    expect(page.body.items).toHaveLength(1);
    const next = await api.get<{ items: SecurityView[]; next_cursor: string | null }>(
      `/api/v1/manifests?limit=1&cursor=${page.body.next_cursor}`,
    );
    expect(next.body.items).toHaveLength(1);
    expect(next.body.items[0].repository).not.toBe(page.body.items[0].repository);

    expect((await api.get('/api/v1/manifests?status=sideways')).status).toBe(400);
    expect((await api.get('/api/v1/manifests/not-a-digest/security')).status).toBe(400);
    const digest = completed.body.items[0].manifest_digest;
    // one digest in two repositories: the caller names one
    expect((await api.get<{ code: string }>(`/api/v1/manifests/${digest}/security`)).body.code).toBe('repository_required');
    expect(
      (await api.get(`/api/v1/manifests/${digest}/security?repository=${encodeURIComponent(`${gate.host}/library/alpine:3.10`)}`)).status,
    ).toBe(400);
    expect(
      (await api.get(`/api/v1/manifests/${digest}/security?repository=${encodeURIComponent(`${gate.host}/nobody/here`)}`)).status,
    ).toBe(404);
  });
});
