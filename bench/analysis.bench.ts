/**
 * Issue #3 benchmark: image analysis of a multi-layer image built here from real files of this
 * machine (Debian's dpkg database, Python's dist-packages, Java jars, the Go toolchain's binaries,
 * this workspace's node_modules): several hundred MB uncompressed, in gzip, zstd (when the zstd
 * tool is installed) and plain tar layers. Writes bench/results/analysis.json.
 *
 *  - floor: the same layers decompressed and parsed by the same tar parser, nothing else
 *  - sbom:  the worker's analysis and SBOM; target ≤ 1.25 × floor (medians; pair ratios and the
 *           fastest of each are reported too, as load from elsewhere on the machine moves both)
 *    Each pass runs in its own process (its peak RSS is its own), floor and sbom alternating.
 *  - worker: the image pushed to a real docker-registry and scanned by a real scanner-worker
 *    process; its peak RSS (VmHWM) after the scan; target ≤ 256 MB
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GZIP_LAYER, TAR_LAYER, pushLayers, startRegistry } from '@vulnscan/testing';
import { Api, waitForScan } from '../test/support/api';
import { ROOT, TestPlatform } from '../test/support/platform';

const run = promisify(execFile);
const PASSES = Number(process.env.BENCH_PASSES ?? 3);
const WORK = join(ROOT, 'tmp', 'bench-analysis');
const ZSTD_LAYER = 'application/vnd.oci.image.layer.v1.tar+zstd';
const MB = 1024 * 1024;

interface LayerSpec {
  name: string;
  mediaType: string;
  /** tar -C <root> ... of these paths (those that exist). */
  root: string;
  paths: string[];
}

async function hasZstd(): Promise<boolean> {
  return run('zstd', ['--version']).then(
    () => true,
    () => false,
  );
}

async function layerSpecs(): Promise<LayerSpec[]> {
  return [
    {
      name: 'debian-base.tar.gz',
      mediaType: GZIP_LAYER,
      root: '/',
      paths: [
        'etc/os-release',
        'usr/lib/os-release',
        'var/lib/dpkg/status',
        'usr/lib/python3',
        'usr/lib/python3.11',
        'usr/share/java',
        'usr/share/doc',
      ],
    },
    {
      name: (await hasZstd()) ? 'go-toolchain.tar.zst' : 'go-toolchain.tar.gz',
      mediaType: (await hasZstd()) ? ZSTD_LAYER : GZIP_LAYER,
      root: '/',
      paths: ['usr/lib/go-1.19/bin', 'usr/lib/go-1.19/pkg/tool', 'usr/lib/go/bin'],
    },
    {
      name: 'node-app.tar',
      mediaType: TAR_LAYER,
      root: ROOT,
      paths: [
        'node_modules/@swc',
        'node_modules/typeorm',
        'node_modules/@nestjs',
        'node_modules/@opentelemetry',
        'node_modules/nx',
        'node_modules/rxjs',
      ],
    },
  ];
}

/** Builds each layer once (kept under tmp/ for later runs) with the system tar. */
async function buildLayers(specs: LayerSpec[]): Promise<{ mediaType: string; file: string; size: number }[]> {
  mkdirSync(WORK, { recursive: true });
  const layers = [];
  for (const spec of specs) {
    const file = join(WORK, spec.name);
    if (!existsSync(file)) {
      const paths = spec.paths.filter((p) => existsSync(join(spec.root, p)));
      const compress = spec.mediaType === GZIP_LAYER ? ['--gzip'] : spec.mediaType === ZSTD_LAYER ? ['--zstd'] : [];
      console.log(`building ${spec.name} from ${paths.join(' ')}`);
      await run('tar', ['-C', spec.root, ...compress, '-cf', `${file}.part`, ...paths], { maxBuffer: 64 * MB });
      await run('mv', [`${file}.part`, file]);
    }
    layers.push({ mediaType: spec.mediaType, file, size: statSync(file).size });
  }
  return layers;
}

interface Pass {
  mode: string;
  ms: number;
  max_rss_mb: number;
  [key: string]: unknown;
}

async function pass(mode: 'floor' | 'sbom', layers: { mediaType: string; file: string }[]): Promise<Pass> {
  const { stdout } = await run(
    process.execPath,
    [join(__dirname, 'analysis-run.js'), mode, ...layers.map((l) => `${l.mediaType}=${l.file}`)],
    {
      maxBuffer: 16 * MB,
    },
  );
  const result = JSON.parse(stdout.trim().split('\n').pop()!) as Pass;
  console.log(JSON.stringify(result));
  return result;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Peak and current RSS of a process, from /proc (Linux). */
function memoryOf(pid: number): { peak_mb: number; now_mb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { peak_mb: Math.round(kb('VmHWM') / 1024), now_mb: Math.round(kb('VmRSS') / 1024) };
}

async function throughWorker(layers: { mediaType: string; file: string }[]) {
  const registry = await startRegistry();
  const platform = new TestPlatform({ INSECURE_REGISTRIES: registry.host, LOG_LEVEL: 'warn' });
  try {
    const digest = await pushLayers(registry, 'bench/analysis', 'latest', layers);
    await platform.start('scan-scheduler');
    const api = new Api((await platform.start('gateway')).url);
    const worker = await platform.start('scanner-worker', { SCAN_CONCURRENCY: '1' });
    const before = memoryOf(worker.child.pid!);
    const started = Date.now();
    const created = await api.post<{ scan_id: string }>('/api/v1/scans', { image: `${registry.host}/bench/analysis:latest` });
    const scan = await waitForScan(api, created.body.scan_id, 600_000);
    const seconds = (Date.now() - started) / 1000;
    const after = memoryOf(worker.child.pid!);
    const [stored] = await platform.query<{ package_count: number }>('SELECT package_count FROM worker.sboms WHERE manifest_digest = $1', [
      digest,
    ]);
    const result = {
      status: scan.status,
      error: scan.error,
      scan_seconds: Number(seconds.toFixed(2)),
      packages: stored?.package_count,
      rss_before_scan_mb: before.now_mb,
      peak_rss_mb: after.peak_mb,
    };
    console.log(JSON.stringify({ worker: result }));
    return result;
  } finally {
    await platform.stop();
    await registry.stop();
  }
}

async function main(): Promise<void> {
  const layers = await buildLayers(await layerSpecs());
  // Warm the page cache so the first pass does not pay for the disk.
  await pass('floor', layers);

  const floors: Pass[] = [];
  const sboms: Pass[] = [];
  for (let i = 0; i < PASSES; i++) {
    floors.push(await pass('floor', layers));
    sboms.push(await pass('sbom', layers));
  }
  const floorMs = median(floors.map((p) => p.ms));
  const sbomMs = median(sboms.map((p) => p.ms));
  const ratio = Number((sbomMs / floorMs).toFixed(3));
  // Each sbom pass against the floor pass just before it: less sensitive to load that comes and goes.
  const pairRatios = sboms.map((p, i) => Number((p.ms / floors[i]!.ms).toFixed(3)));
  const fastest = Number((Math.min(...sboms.map((p) => p.ms)) / Math.min(...floors.map((p) => p.ms))).toFixed(3));
  const worker = await throughWorker(layers);

  const results = {
    benchmark: 'image analysis (issue #3)',
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpu_model: cpus()[0]?.model, memory_gb: Math.round(totalmem() / 1024 ** 3), node: process.version },
    image: {
      layers: layers.map((l) => ({
        media_type: l.mediaType,
        file: l.file.slice(ROOT.length + 1),
        compressed_mb: Number((l.size / MB).toFixed(1)),
      })),
      uncompressed_mb: Number(((floors[0]!['uncompressed_bytes'] as number) / MB).toFixed(1)),
      tar_entries: floors[0]!['entries'],
    },
    passes: PASSES,
    floor: { median_ms: floorMs, runs_ms: floors.map((p) => p.ms), max_rss_mb: Math.max(...floors.map((p) => p.max_rss_mb)) },
    sbom: {
      median_ms: sbomMs,
      runs_ms: sboms.map((p) => p.ms),
      max_rss_mb: Math.max(...sboms.map((p) => p.max_rss_mb)),
      packages: sboms[0]!['packages'],
      packages_by_type: sboms[0]!['by_type'],
      warnings: sboms[0]!['warnings'],
    },
    sbom_vs_floor: { ratio, pair_ratios: pairRatios, fastest_vs_fastest: fastest, target: 1.25, met: ratio <= 1.25 },
    worker: { ...worker, target_peak_rss_mb: 256, met: worker.peak_rss_mb <= 256 },
  };
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'results', 'analysis.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(JSON.stringify({ sbom_vs_floor: results.sbom_vs_floor, worker: results.worker }));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
