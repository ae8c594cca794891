/**
 * Images of the proxy-cache benchmark, built from this machine's own files with the system tar:
 *  - the large image: four gzip layers (Debian's dpkg database and docs, Python, Java jars, the Go
 *    toolchain and standard library, this workspace's node_modules), 200 MB+ compressed; built
 *    once and kept under tmp/bench-proxy-cache/ for later runs
 *  - small images for the scan latency samples: two gzip layers (os-release and the dpkg
 *    database; Python's dist-packages), each with a marker file of its own, so every sample has
 *    distinct layer, config and manifest digests (its blobs are new to the cache and no SBOM of it
 *    is stored: every sample's scan runs the whole analysis)
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GZIP_LAYER, TestLayerFile } from '@vulnscan/testing';
import { ROOT } from '../test/support/platform';

const run = promisify(execFile);
const MB = 1024 * 1024;
export const WORK = join(ROOT, 'tmp', 'bench-proxy-cache');

export interface LayerFile extends TestLayerFile {
  size: number;
}

interface LayerSpec {
  name: string;
  /** tar -C <root> ... of these paths (those that exist). */
  root: string;
  paths: string[];
}

const LARGE_LAYERS: LayerSpec[] = [
  {
    name: 'debian-base.tar.gz',
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
  { name: 'go-toolchain.tar.gz', root: '/', paths: ['usr/lib/go-1.19/bin', 'usr/lib/go-1.19/pkg/tool', 'usr/lib/go'] },
  {
    name: 'go-stdlib.tar.gz',
    root: '/',
    paths: ['usr/lib/go-1.19/pkg/linux_amd64', 'usr/share/go-1.19/src/net', 'usr/share/go-1.19/src/crypto'],
  },
  {
    name: 'node-app.tar.gz',
    root: ROOT,
    paths: [
      'node_modules/@opentelemetry',
      'node_modules/typeorm',
      'node_modules/@nestjs',
      'node_modules/rxjs',
      'node_modules/typescript',
      'node_modules/@swc',
    ],
  },
];

async function tarGzip(file: string, parts: { root: string; paths: string[] }[]): Promise<void> {
  const args = ['--gzip', '-cf', `${file}.part`];
  for (const part of parts) {
    const paths = part.paths.filter((p) => existsSync(join(part.root, p)));
    if (paths.length > 0) args.push('-C', part.root, ...paths);
  }
  await run('tar', args, { maxBuffer: 64 * MB });
  await run('mv', [`${file}.part`, file]);
}

/** The large image's layers, built on first use. */
export async function largeImageLayers(): Promise<LayerFile[]> {
  const dir = join(WORK, 'layers');
  mkdirSync(dir, { recursive: true });
  const layers: LayerFile[] = [];
  for (const spec of LARGE_LAYERS) {
    const file = join(dir, spec.name);
    if (!existsSync(file)) {
      console.log(`building ${spec.name} from ${spec.paths.join(' ')}`);
      await tarGzip(file, [spec]);
    }
    layers.push({ mediaType: GZIP_LAYER, file, size: statSync(file).size });
  }
  return layers;
}

/** Sample `id`'s small image: its own two layers (rebuilt each run, a few seconds each). */
export async function smallImageLayers(id: string): Promise<LayerFile[]> {
  const dir = join(WORK, 'samples', id);
  rmSync(dir, { recursive: true, force: true });
  const marker = join(dir, 'marker');
  mkdirSync(join(marker, 'var/lib'), { recursive: true });
  writeFileSync(join(marker, 'var/lib/bench-sample'), `${id} ${Date.now()} ${process.pid}\n`);
  const base = join(dir, 'base.tar.gz');
  const python = join(dir, 'python.tar.gz');
  const mark = { root: marker, paths: ['var/lib/bench-sample'] };
  await tarGzip(base, [{ root: '/', paths: ['etc/os-release', 'usr/lib/os-release', 'var/lib/dpkg/status'] }, mark]);
  await tarGzip(python, [{ root: '/', paths: ['usr/lib/python3/dist-packages'] }, mark]);
  return [base, python].map((file) => ({ mediaType: GZIP_LAYER, file, size: statSync(file).size }));
}

export function removeSample(id: string): void {
  rmSync(join(WORK, 'samples', id), { recursive: true, force: true });
}

export const megabytes = (bytes: number): number => Number((bytes / MB).toFixed(1));
