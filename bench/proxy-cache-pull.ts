/**
 * The pull-throughput part of the proxy-cache benchmark: one image pulled the way a client pulls
 * it (skopeo copy docker://… dir:…, every blob fetched and digest-verified, written to a fresh
 * directory), directly from the upstream docker-registry, through our blob cache (cold: fresh
 * database and storage each pass; warm: the same again once every blob is placed) and through a
 * docker-registry configured as a pull-through cache of the same upstream (`proxy: remoteurl`,
 * cold: fresh storage each pass; warm: once every blob is in its storage).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { blobDataPath, startRegistry, TestRegistry } from '@vulnscan/testing';
import { ServiceProcess, TestPlatform, waitFor } from '../test/support/platform';
import { log, round } from './vulndb-report';

const run = promisify(execFile);
const MANIFEST_TYPES = 'application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json';

export type PullMode = 'direct' | 'cache_cold' | 'cache_warm' | 'registry_proxy_cold' | 'registry_proxy_warm';

export interface PullRun {
  mode: PullMode;
  pass: number;
  ms: number;
  /** CPU seconds (user + system) the serving process spent in the pull; the upstream's not counted. */
  server_cpu_s?: number;
  /** Share of the whole machine's CPU time (every core) that was busy during the pull, in %. */
  machine_cpu_busy_pct: number;
}

/** The blob digests (config first) of `repository:tag` in `registryUrl`. */
export async function imageBlobs(registryUrl: string, repository: string, tag: string): Promise<string[]> {
  const response = await fetch(`${registryUrl}/v2/${repository}/manifests/${tag}`, { headers: { Accept: MANIFEST_TYPES } });
  if (!response.ok) throw new Error(`manifest of ${repository}:${tag}: ${response.status}`);
  const manifest = (await response.json()) as { config: { digest: string }; layers: { digest: string }[] };
  return [manifest.config.digest, ...manifest.layers.map((layer) => layer.digest)];
}

/** Wall time of one `skopeo copy` of host/repository:tag into a fresh directory (removed after). */
export async function skopeoPull(host: string, image: string): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-pull-'));
  try {
    const started = process.hrtime.bigint();
    await run('skopeo', ['--insecure-policy', 'copy', '--quiet', '--src-tls-verify=false', `docker://${host}/${image}`, `dir:${dir}`], {
      maxBuffer: 16 * 1024 * 1024,
    });
    return Math.round(Number(process.hrtime.bigint() - started) / 1e6);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** User + system CPU seconds of a process so far (Linux /proc; 100 ticks a second). */
export function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Busy and total CPU ticks of the whole machine so far (the first line of /proc/stat). */
function machineTicks(): { busy: number; total: number } {
  const [user, nice, system, idle, iowait, irq, softirq, steal] = readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]!
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  const busy = user! + nice! + system! + irq! + softirq! + steal!;
  return { busy, total: busy + idle! + iowait! };
}

async function timed(mode: PullMode, pass: number, host: string, image: string, serverPid?: number): Promise<PullRun> {
  const cpuBefore = serverPid ? cpuSeconds(serverPid) : 0;
  const machineBefore = machineTicks();
  const ms = await skopeoPull(host, image);
  const machineAfter = machineTicks();
  const result: PullRun = {
    mode,
    pass,
    ms,
    ...(serverPid ? { server_cpu_s: round(cpuSeconds(serverPid) - cpuBefore, 2) } : {}),
    machine_cpu_busy_pct: round((100 * (machineAfter.busy - machineBefore.busy)) / (machineAfter.total - machineBefore.total)),
  };
  log(result);
  return result;
}

/** One fresh blob-cache-worker (own database, own storage) in front of `upstream`. */
async function startCache(upstream: TestRegistry): Promise<{ platform: TestPlatform; cache: ServiceProcess; storage: string }> {
  const storage = mkdtempSync(join(tmpdir(), 'bench-blob-cache-'));
  const platform = new TestPlatform({ LOG_LEVEL: 'warn' });
  const cache = await platform.start('blob-cache-worker', {
    CACHE_ANONYMOUS_PULLS: 'true',
    CACHE_UPSTREAMS: `${upstream.host}=${upstream.url}`,
    CACHE_STORAGE_DIR: storage,
  });
  return { platform, cache, storage };
}

/** `passes` rounds of direct, cache cold and warm, docker-registry proxy cold and warm. */
export async function pullPasses(upstream: TestRegistry, repository: string, tag: string, passes: number): Promise<PullRun[]> {
  const image = `${repository}:${tag}`;
  const blobs = await imageBlobs(upstream.url, repository, tag);
  // Warm-up: the upstream's files in the page cache, skopeo's binary loaded.
  await skopeoPull(upstream.host, image);
  const runs: PullRun[] = [];
  for (let pass = 1; pass <= passes; pass++) {
    runs.push(await timed('direct', pass, upstream.host, image));

    const { platform, cache, storage } = await startCache(upstream);
    try {
      const pid = cache.child.pid!;
      runs.push(await timed('cache_cold', pass, `127.0.0.1:${cache.port}`, image, pid));
      await waitFor(
        async () => {
          const rows = await platform.query<{ done: boolean }>(
            `SELECT completed_at IS NOT NULL AS done FROM cache.cached_manifests WHERE repository = $1`,
            [repository],
          );
          return rows.length > 0 && rows.every((row) => row.done);
        },
        { timeoutMs: 120000, what: 'every blob placed in the cache' },
      );
      runs.push(await timed('cache_warm', pass, `127.0.0.1:${cache.port}`, image, pid));
    } finally {
      await platform.stop();
      rmSync(storage, { recursive: true, force: true });
    }

    const proxy = await startRegistry({ proxyOf: upstream.url });
    try {
      runs.push(await timed('registry_proxy_cold', pass, proxy.host, image, proxy.pid));
      await waitFor(async () => blobs.every((digest) => existsSync(blobDataPath(proxy, digest))), {
        timeoutMs: 120000,
        what: 'every blob in the docker-registry proxy storage',
      });
      runs.push(await timed('registry_proxy_warm', pass, proxy.host, image, proxy.pid));
    } finally {
      await proxy.stop();
    }
  }
  return runs;
}
