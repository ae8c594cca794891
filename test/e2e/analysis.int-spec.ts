import { join } from 'node:path';
import { fixturesDir, gzipTarLayer, GZIP_LAYER, pushImage, pushLayers, startRegistry, TestRegistry } from '@vulnscan/testing';
import { Api, waitForScan } from '../support/api';
import { TestPlatform } from '../support/platform';

const MiB = 1024 * 1024;

/**
 * Image analysis inside the worker: layer limits and broken layers fail their own scan with a
 * clear code while the worker goes on serving others, and stored SBOMs are tied to the analyzer
 * version that made them. Images are pushed byte for byte through the Distribution API, so a
 * broken layer reaches the registry (and the worker) exactly as built.
 */
describe('image analysis in the worker', () => {
  let registry: TestRegistry;
  let platform: TestPlatform;
  let api: Api;

  beforeAll(async () => {
    registry = await startRegistry();
    platform = new TestPlatform({ INSECURE_REGISTRIES: registry.host });
    await platform.start('scan-scheduler');
    const gateway = await platform.start('gateway');
    api = new Api(gateway.url);
    await platform.start('scanner-worker', {
      SCAN_CONCURRENCY: '4',
      LAYER_MAX_BYTES: String(64 * MiB),
      LAYER_MAX_ENTRY_BYTES: String(32 * MiB),
      LAYER_MAX_ENTRIES: '1000',
      IMAGE_MAX_ENTRIES: '1500',
    });
  });

  afterAll(async () => {
    await platform?.stop();
    await registry?.stop();
  });

  const scan = async (image: string) => (await api.post<{ scan_id: string }>('/api/v1/scans', { image, force_rescan: true })).body.scan_id;

  it('a gzip bomb, an over-limit layer and a corrupt one fail with their codes while another scan completes', async () => {
    const osRelease = { name: 'etc/os-release', content: 'ID=alpine\nVERSION_ID=3.18.4\n' };
    // A gzip bomb: 300 MiB of zeros in files each under the entry limit, compressed to well under 1 MiB.
    const bomb = await gzipTarLayer([
      osRelease,
      ...Array.from({ length: 10 }, (_, i) => ({ name: `zeros/${i}`, content: { zeros: 30 * MiB } })),
    ]);
    expect(bomb.bytes.length).toBeLessThan(MiB);
    // One file whose declared size is over the entry limit: refused before a byte of it is read.
    const bigFiles = await gzipTarLayer([{ name: 'data/huge', content: { zeros: 40 * MiB } }]);
    const manyFiles = await gzipTarLayer(Array.from({ length: 1500 }, (_, i) => ({ name: `many/${i}`, content: 'x' })));
    const whole = await gzipTarLayer([osRelease, { name: 'usr/share/doc/readme', content: 'a long enough file '.repeat(4096) }]);
    const truncated = { mediaType: GZIP_LAYER, bytes: whole.bytes.subarray(0, Math.floor(whole.bytes.length / 2)) };
    const notGzip = { mediaType: GZIP_LAYER, bytes: Buffer.from('this is not a gzip stream, whatever the media type says') };

    const images = {
      bomb: await pushLayers(registry, 'limits/bomb', '1', [bomb]),
      bigFiles: await pushLayers(registry, 'limits/big-files', '1', [bigFiles]),
      manyFiles: await pushLayers(registry, 'limits/many-files', '1', [manyFiles]),
      truncated: await pushLayers(registry, 'limits/truncated', '1', [truncated]),
      notGzip: await pushLayers(registry, 'limits/not-gzip', '1', [notGzip]),
    };
    expect(Object.values(images)).toHaveLength(5);
    await pushImage(join(fixturesDir(), 'images/alpine-310.docker.tar.gz'), registry, 'library/alpine:3.10');

    const ids = {
      bomb: await scan(`${registry.host}/limits/bomb:1`),
      bigFiles: await scan(`${registry.host}/limits/big-files:1`),
      good: await scan(`${registry.host}/library/alpine:3.10`),
      manyFiles: await scan(`${registry.host}/limits/many-files:1`),
      truncated: await scan(`${registry.host}/limits/truncated:1`),
      notGzip: await scan(`${registry.host}/limits/not-gzip:1`),
    };
    const done = Object.fromEntries(
      await Promise.all(Object.entries(ids).map(async ([name, id]) => [name, await waitForScan(api, id, 90000)] as const)),
    );
    const outcome = (name: keyof typeof ids) => ({
      status: done[name]!.status,
      code: done[name]!.error?.code,
      attempts: done[name]!.attempts,
    });

    expect(outcome('good')).toEqual({ status: 'completed', code: undefined, attempts: 1 });
    // Neither limits nor corruption are retried: another attempt would meet the same bytes.
    expect(outcome('bomb')).toEqual({ status: 'failed', code: 'layer_too_large', attempts: 1 });
    expect(outcome('bigFiles')).toEqual({ status: 'failed', code: 'layer_too_large', attempts: 1 });
    expect(outcome('manyFiles')).toEqual({ status: 'failed', code: 'layer_too_large', attempts: 1 });
    expect(outcome('truncated')).toEqual({ status: 'failed', code: 'layer_corrupt', attempts: 1 });
    expect(outcome('notGzip')).toEqual({ status: 'failed', code: 'layer_corrupt', attempts: 1 });
    // Each names what was too large and the worker setting that allows more.
    expect(done.bomb!.error!.message).toMatch(/uncompressed size over 67108864 bytes exceeds LAYER_MAX_BYTES \(67108864\)$/);
    expect(done.bigFiles!.error!.message).toMatch(/entry "data\/huge" of 41943040 bytes exceeds LAYER_MAX_ENTRY_BYTES \(33554432\)$/);
    expect(done.manyFiles!.error!.message).toMatch(/more than 1000 (entries|paths).* exceeds LAYER_MAX_ENTRIES \(1000\)$/);
    expect(done.truncated!.error!.message).toMatch(/^layer 0 \(sha256:[0-9a-f]{64}\): .*(truncated|unexpected end)/i);
    expect(done.notGzip!.error!.message).toMatch(/^layer 0 \(sha256:[0-9a-f]{64}\): /);

    // Nothing half-analyzed is stored for the failed images; the good one has its SBOM.
    const stored = await platform.query<{ manifest_digest: string }>('SELECT manifest_digest FROM worker.sboms');
    expect(stored.map((row) => row.manifest_digest)).toEqual([done.good!.manifest_digest]);

    // The worker is still there and serving.
    const again = await waitForScan(api, await scan(`${registry.host}/library/alpine:3.10`));
    expect(again.status).toBe('completed');
  });

  it('layers each within their limits that together pass an image budget fail with analysis_limit_exceeded naming its setting', async () => {
    const layers = await Promise.all(
      [0, 1].map((layer) => gzipTarLayer(Array.from({ length: 800 }, (_, i) => ({ name: `part${layer}/${i}`, content: 'x' })))),
    );
    await pushLayers(registry, 'limits/many-layers', '1', layers);
    const done = await waitForScan(api, await scan(`${registry.host}/limits/many-layers:1`));
    expect({ status: done.status, code: done.error?.code, attempts: done.attempts }).toEqual({
      status: 'failed',
      code: 'analysis_limit_exceeded',
      attempts: 1,
    });
    expect(done.error!.message).toMatch(
      /^layer 1 \(sha256:[0-9a-f]{64}\): more than 1500 entries in the image.* exceeds IMAGE_MAX_ENTRIES \(1500\)$/,
    );
  });

  it('an SBOM stored by another analyzer version is not reused: the image is analyzed again', async () => {
    const layer = await gzipTarLayer([
      { name: 'etc/os-release', content: 'ID=alpine\nVERSION_ID=3.18.4\n' },
      { name: 'lib/apk/db/installed', content: 'P:musl\nV:1.2.4-r2\nA:x86_64\no:musl\n\n' },
    ]);
    const digest = await pushLayers(registry, 'versions/app', '1', [layer]);
    const first = await waitForScan(api, await scan(`${registry.host}/versions/app:1`));
    expect(first.status).toBe('completed');
    const [{ analyzer_version: current, created_at: firstCreated }] = await platform.query<{ analyzer_version: string; created_at: Date }>(
      'SELECT analyzer_version, created_at FROM worker.sboms WHERE manifest_digest = $1',
      [digest],
    );

    // Make the stored SBOM one an older analyzer wrote, packages and the report made from it included.
    await platform.query(
      `INSERT INTO worker.sboms (manifest_digest, analyzer_version, document, package_count, created_at)
       SELECT manifest_digest, '0+older', document, package_count, created_at FROM worker.sboms WHERE manifest_digest = $1`,
      [digest],
    );
    await platform.query(`UPDATE worker.sbom_packages SET analyzer_version = '0+older' WHERE manifest_digest = $1`, [digest]);
    await platform.query(`UPDATE worker.reports SET analyzer_version = '0+older' WHERE manifest_digest = $1`, [digest]);
    await platform.query(`DELETE FROM worker.sboms WHERE manifest_digest = $1 AND analyzer_version = $2`, [digest, current]);

    const second = await waitForScan(api, await scan(`${registry.host}/versions/app:1`));
    expect(second.status).toBe('completed');
    const rows = await platform.query<{ analyzer_version: string; created_at: Date; packages: number }>(
      `SELECT s.analyzer_version, s.created_at, (SELECT count(*)::int FROM worker.sbom_packages p
         WHERE p.manifest_digest = s.manifest_digest AND p.analyzer_version = s.analyzer_version) AS packages
       FROM worker.sboms s WHERE manifest_digest = $1 ORDER BY analyzer_version`,
      [digest],
    );
    expect(rows.map((row) => [row.analyzer_version, row.packages])).toEqual([
      ['0+older', 1],
      [current, 1],
    ]);
    // Generated anew, not copied back: the current version's row is younger than the first scan's.
    expect(rows[1]!.created_at.getTime()).toBeGreaterThan(firstCreated.getTime());
    const sbom = await api.get<{ components: { name: string }[] }>(`/api/v1/scans/${second.scan_id}/sbom`);
    expect(sbom.body.components.map((component) => component.name)).toContain('musl');
  });
});
