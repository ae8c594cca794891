import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  fixturesDir,
  GZIP_LAYER,
  pushImage,
  pushLayers,
  startCountingRelay,
  startRegistry,
  type CountingRelay,
  type TestRegistry,
} from '@vulnscan/testing';
import { Api, waitForScan, type ScanView } from '../support/api';
import { END_OF_ARCHIVE, gzipBomb, gzipLayerFile, recursiveViewRpmdb, tarEntry, zstdBomb } from '../support/hostile-layers';
import { ROOT, TestPlatform } from '../support/platform';

const MiB = 1024 * 1024;
/** The scanner-worker's memory limit in the shipped Kubernetes manifests. */
const RSS_LIMIT = 512 * MiB;
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

/** What one attack did to the platform, for the table this suite writes to tmp/attack-suite.md. */
interface Row {
  attack: string;
  outcome: string;
  seconds: number;
  worstProbeMs: number;
  peakRssMiB: number;
}

/**
 * Watches the worker from outside, as a kubelet would: its `/health/live` every 200 ms (the worst
 * wait is what a liveness probe would see) and its resident memory from /proc, threads included.
 */
class WorkerWatch {
  worstProbeMs = 0;
  peakRss = 0;
  /** Probes and samples since the last reset: an attack that ends at once still gets both. */
  private probes = 0;
  private samples = 0;
  private running = true;
  private readonly loops: Promise<void>[] = [];

  constructor(
    private readonly url: string,
    private readonly pid: number,
  ) {
    this.loops.push(this.probe(), this.sample());
  }

  reset(): void {
    this.worstProbeMs = 0;
    this.peakRss = 0;
    this.probes = 0;
    this.samples = 0;
  }

  /** Waits until a probe and an RSS sample have both been taken since the last reset. */
  async observed(): Promise<void> {
    while (this.probes === 0 || this.samples === 0) await sleep(50);
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  private async probe(): Promise<void> {
    while (this.running) {
      const started = performance.now();
      // A probe that fails or times out counts with the time it took.
      await fetch(`${this.url}/health/live`, { signal: AbortSignal.timeout(10_000) })
        .then((response) => response.arrayBuffer())
        .catch(() => undefined);
      this.worstProbeMs = Math.max(this.worstProbeMs, performance.now() - started);
      this.probes++;
      await sleep(200);
    }
  }

  private async sample(): Promise<void> {
    while (this.running) {
      const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
      const kb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0);
      this.peakRss = Math.max(this.peakRss, kb * 1024);
      this.samples++;
      await sleep(200);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A gzip layer from whole entries (small layers; big ones are streamed to a file). */
function smallLayer(entries: Buffer[]): { mediaType: string; bytes: Buffer } {
  return { mediaType: GZIP_LAYER, bytes: gzipSync(Buffer.concat([...entries, END_OF_ARCHIVE])) };
}

const file = (name: string, content: string | Buffer): Buffer => tarEntry({ name }, Buffer.from(content));

/**
 * The attack suite of the hostile-input issue: crafted images pushed to a loopback registry and
 * hostile answers from an HTTP front, each scanned while another tenant scans a normal image. For
 * every attack the hostile scan ends with its code within its bound, the normal scan completes, the
 * worker's liveness probe never waits a second, its RSS stays under 512 MiB, and no scan is left
 * running.
 */
describe('attack suite: hostile images and registry answers', () => {
  let registry: TestRegistry;
  let front: CountingRelay;
  let platform: TestPlatform;
  let attacker: Api;
  let bystander: Api;
  let watch: WorkerWatch;
  let work: string;
  const rows: Row[] = [];
  let normalImage: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'vulnscan-attacks-'));
    registry = await startRegistry();
    front = await startCountingRelay(registry.url);
    await pushImage(join(fixturesDir(), 'images/alpine-310.docker.tar.gz'), registry, 'library/alpine:3.10');
    normalImage = `${registry.host}/library/alpine:3.10`;
    platform = new TestPlatform({ INSECURE_REGISTRIES: `${registry.host}@*,${front.host}@*` });
    await platform.start('scan-scheduler');
    const gateway = await platform.start('gateway');
    // Defaults everywhere but the layer size, so the bombs need seconds rather than minutes to build and to read.
    const worker = await platform.start('scanner-worker', { LAYER_MAX_BYTES: String(1024 * MiB) });
    attacker = new Api(gateway.url);
    expect((await attacker.post('/api/v1/tenants', { id: 'bystander', name: 'Bystander' })).status).toBe(201);
    const key = await attacker.post<{ key: string }>('/api/v1/api-keys', {
      tenant_id: 'bystander',
      name: 'bystander',
      scopes: ['scans:read', 'scans:write'],
    });
    bystander = attacker.withKey(key.body.key);
    watch = new WorkerWatch(worker.url, worker.child.pid as number);
  });

  afterAll(async () => {
    await watch?.stop();
    if (rows.length > 0) {
      const table = [
        '| attack | outcome | time to fail (s) | worst probe (ms) | peak RSS (MiB) |',
        '|---|---|---|---|---|',
        ...rows.map((r) => `| ${r.attack} | ${r.outcome} | ${r.seconds.toFixed(1)} | ${Math.round(r.worstProbeMs)} | ${r.peakRssMiB} |`),
      ].join('\n');
      writeFileSync(join(ROOT, 'tmp', 'attack-suite.md'), `${table}\n`);
      console.log(table);
    }
    await platform?.stop();
    await front?.stop();
    await registry?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  async function scan(api: Api, image: string): Promise<string> {
    const created = await api.post<{ scan_id: string }>('/api/v1/scans', { image, force_rescan: true });
    expect(created.status).toBe(202);
    return created.body.scan_id;
  }

  /** Makes the front answer GETs of `<repository>:1` with `status` and `body` (a manifest of `mediaType`, or an error). */
  function serve(repository: string, status: number, body: string, mediaType?: string): string {
    front.answer((request) => request.path === `/v2/${repository}/manifests/1`, {
      status,
      ...(mediaType ? { headers: { 'content-type': mediaType } } : {}),
      body,
    });
    return `${front.host}/${repository}:1`;
  }

  /** An OCI index of made-up children (their digests lead nowhere), one per platform. */
  function indexOf(platforms: { os: string; architecture: string }[]): string {
    const manifests = platforms.map((platform, i) => ({
      mediaType: OCI_MANIFEST,
      digest: `sha256:${String(i).padStart(64, '0')}`,
      size: 100,
      platform,
    }));
    return JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests });
  }

  /** Scans `image` as the attacker while the bystander scans the normal image; checks and records what happened. */
  async function attack(name: string, image: string, boundMs: number): Promise<ScanView> {
    watch.reset();
    const started = Date.now();
    const [hostileId, normalId] = await Promise.all([scan(attacker, image), scan(bystander, normalImage)]);
    const hostile = await waitForScan(attacker, hostileId, boundMs + 60_000);
    const seconds = (Date.now() - started) / 1000;
    const normal = await waitForScan(bystander, normalId, 120_000);
    await watch.observed();
    const row = {
      attack: name,
      outcome: hostile.error ? `${hostile.status} ${hostile.error.code}` : hostile.status,
      seconds,
      worstProbeMs: watch.worstProbeMs,
      peakRssMiB: Math.round(watch.peakRss / MiB),
    };
    rows.push(row);
    expect(normal.status).toBe('completed');
    expect(seconds * 1000).toBeLessThan(boundMs);
    expect(row.worstProbeMs).toBeLessThan(1000);
    expect(watch.peakRss).toBeLessThan(RSS_LIMIT);
    const [{ left }] = await platform.query<{ left: number }>(
      `SELECT count(*)::int AS left FROM scheduler.scans WHERE status IN ('queued', 'running')`,
    );
    expect(left).toBe(0);
    if (hostile.error) {
      expect(hostile.error.message.length).toBeLessThanOrEqual(4000);
      expect(/\u0000|[\ud800-\udfff]/.test(hostile.error.message)).toBe(false);
    }
    return hostile;
  }

  it('a recursive-view rpmdb', async () => {
    const rpmdb = recursiveViewRpmdb(join(work, 'rpmdb.sqlite'));
    const layer = smallLayer([file('etc/os-release', 'ID=fedora\nVERSION_ID=39\n'), file('var/lib/rpm/rpmdb.sqlite', rpmdb)]);
    await pushLayers(registry, 'attack/rpmdb-view', '1', [layer]);
    const hostile = await attack('recursive-view rpmdb', `${registry.host}/attack/rpmdb-view:1`, 30_000);
    // The database is skipped (with a warning in the report) without a single row read: no rpm packages.
    expect(hostile.status).toBe('completed');
    const sbom = await attacker.get<{ components?: { purl?: string }[] }>(`/api/v1/scans/${hostile.scan_id}/sbom`);
    expect(sbom.status).toBe(200);
    expect((sbom.body.components ?? []).filter((component) => component.purl?.startsWith('pkg:rpm/'))).toEqual([]);
    const [stored] = await platform.query<{ warnings: string[] }>(
      `SELECT document->'warnings' AS warnings FROM worker.sboms WHERE manifest_digest = $1`,
      [hostile.manifest_digest],
    );
    expect(stored!.warnings.join('\n')).toMatch(/var\/lib\/rpm\/rpmdb\.sqlite: .*Packages is a view/);
  });

  /** `count` symlinks, each through the one before it with a ~4,000-byte target of `./` steps. */
  async function pushChainedLinks(repository: string, count: number): Promise<string> {
    const links = function* (): Generator<Buffer> {
      yield tarEntry({ name: 'links/', type: '5' });
      yield tarEntry({ name: 'links/s0', type: '2', linkname: '.' });
      for (let i = 1; i < count; i++) yield tarEntry({ name: `links/s${i}`, type: '2', linkname: `s${i - 1}/${'./'.repeat(1995)}` });
    };
    await pushLayers(registry, repository, '1', [await gzipLayerFile(join(work, `${count}-links.tar.gz`), links())]);
    return `${registry.host}/${repository}:1`;
  }

  it('50,000 chained symlinks with ~4,000-byte targets', async () => {
    const hostile = await attack('50,000 chained symlinks, ~4,000-byte targets', await pushChainedLinks('attack/symlinks', 50_000), 60_000);
    // 200 MB of link targets: the path budget stops the walk before resolution starts.
    expect([hostile.status, hostile.error?.code]).toEqual(['failed', 'analysis_limit_exceeded']);
    expect(hostile.error?.message).toMatch(/exceeds IMAGE_MAX_PATH_BYTES \(67108864\)$/);
  });

  it('10,000 chained symlinks with ~4,000-byte targets (under the path budget)', async () => {
    const image = await pushChainedLinks('attack/symlinks-resolved', 10_000);
    const hostile = await attack('10,000 chained symlinks, ~4,000-byte targets', image, 60_000);
    // Each resolution walks 40 links of 2,000 steps: the image's step budget ends it, linearly.
    expect([hostile.status, hostile.error?.code]).toEqual(['failed', 'analysis_limit_exceeded']);
    expect(hostile.error?.message).toMatch(/exceeds IMAGE_MAX_SYMLINK_STEPS \(1000000\)$/);
  });

  it('a layer of 200,000 entries with 4,000-byte names', async () => {
    const tail = `${'n'.repeat(250)}/`.repeat(15);
    const entries = function* (): Generator<Buffer> {
      for (let i = 0; i < 200_000; i++) yield tarEntry({ name: `many/${i}/${tail}f` });
    };
    const layer = await gzipLayerFile(join(work, 'entries.tar.gz'), entries());
    await pushLayers(registry, 'attack/entries', '1', [layer]);
    const hostile = await attack('200,000 entries with 4,000-byte names', `${registry.host}/attack/entries:1`, 60_000);
    expect([hostile.status, hostile.error?.code]).toEqual(['failed', 'analysis_limit_exceeded']);
    expect(hostile.error?.message).toMatch(/exceeds IMAGE_MAX_PATH_BYTES \(67108864\)$/);
  });

  it('a registry error body of 1 MB', async () => {
    const errors = Array.from({ length: 2000 }, (_, i) => ({ code: 'MANIFEST_UNKNOWN', message: `${i} ${'x'.repeat(500)}`, detail: null }));
    const body = JSON.stringify({ errors });
    expect(body.length).toBeGreaterThan(MiB);
    const hostile = await attack('registry error body of 1 MB', serve('attack/error-body', 404, body), 15_000);
    expect([hostile.status, hostile.error?.code]).toEqual(['failed', 'not_found']);
  });

  it('a platform list of 5,000-character names', async () => {
    const platforms = Array.from({ length: 40 }, (_, i) => ({ os: `linux${'o'.repeat(5000)}`, architecture: `${i}${'a'.repeat(5000)}` }));
    const image = serve('attack/platforms', 200, indexOf(platforms), OCI_INDEX);
    const hostile = await attack('platform list of 5,000-character names', image, 15_000);
    expect([hostile.status, hostile.error?.code]).toEqual(['failed', 'platform_not_found']);
  });

  it('an error message with NUL bytes and lone surrogates', async () => {
    const body = JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN', message: `gone\u0000\ud800 for good\udfff\u0000`, detail: null }] });
    const hostile = await attack('error message with NUL and lone surrogates', serve('attack/odd-text', 404, body), 15_000);
    expect([hostile.status, hostile.error?.code]).toEqual(['failed', 'not_found']);
  });

  it('an index of 10,000 children', async () => {
    // Only the last child is for linux/amd64: a client that walked the list would read all of it.
    const platforms = Array.from({ length: 10_000 }, (_, i) => ({ os: 'linux', architecture: i === 9_999 ? 'amd64' : `arch${i}` }));
    const hostile = await attack('index of 10,000 children', serve('attack/fan-out', 200, indexOf(platforms), OCI_INDEX), 15_000);
    expect([hostile.status, hostile.error?.code]).toEqual(['failed', 'manifest_invalid']);
  });

  it('tar path traversal and hardlinks out of the root', async () => {
    const layer = smallLayer([
      file('etc/os-release', 'ID=alpine\nVERSION_ID=3.18.4\n'),
      file('../../../../etc/cron.d/evil', '* * * * * root sh\n'),
      file('/../../root/.ssh/authorized_keys', 'ssh-ed25519 AAAA attacker\n'),
      tarEntry({ name: 'passwd', type: '1', linkname: '../../../../etc/passwd' }),
      tarEntry({ name: 'shadow', type: '1', linkname: '/etc/shadow' }),
      tarEntry({ name: 'escape', type: '2', linkname: '../../../../../etc/passwd' }),
    ]);
    await pushLayers(registry, 'attack/traversal', '1', [layer]);
    const hostile = await attack('tar path traversal, hardlinks out of the root', `${registry.host}/attack/traversal:1`, 30_000);
    // Nothing is ever unpacked to disk: the entries are skipped with warnings and the scan completes.
    expect(hostile.status).toBe('completed');
  });

  it('a gzip bomb', async () => {
    const bomb = gzipBomb(2, 900);
    expect(bomb.bytes.length).toBeLessThan(4 * MiB);
    await pushLayers(registry, 'attack/gzip-bomb', '1', [bomb]);
    const hostile = await attack('gzip bomb (1.8 GiB from ~2 MB)', `${registry.host}/attack/gzip-bomb:1`, 60_000);
    expect([hostile.status, hostile.error?.code]).toEqual(['failed', 'layer_too_large']);
  });

  it('a zstd bomb', async () => {
    const bomb = zstdBomb(2, 900);
    expect(bomb.bytes.length).toBeLessThan(MiB);
    await pushLayers(registry, 'attack/zstd-bomb', '1', [bomb]);
    const hostile = await attack('zstd bomb (1.8 GiB from ~60 KB)', `${registry.host}/attack/zstd-bomb:1`, 60_000);
    expect([hostile.status, hostile.error?.code]).toEqual(['failed', 'layer_too_large']);
  });

  it('a 10 MB manifest', async () => {
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${'0'.repeat(64)}`, size: 2 },
      layers: [],
      annotations: { padding: 'p'.repeat(10 * MiB) },
    });
    const hostile = await attack('10 MB manifest', serve('attack/huge-manifest', 200, manifest, OCI_MANIFEST), 15_000);
    expect([hostile.status, hostile.error?.code]).toEqual(['failed', 'manifest_invalid']);
  });
});
