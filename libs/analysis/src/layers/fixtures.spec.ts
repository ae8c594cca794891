import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fixturesDir } from '@vulnscan/testing';
import type { FileAnalyzer } from '../model';
import { analyzeImage } from './analyze-image';
import type { ImageView } from './image-view';
import { layerLimits } from './limits';
import { dockerSaveLayers } from './test-support/docker-save';
import { walkLayer } from './tar-walk';

/** The shape of `testdata/<name>.expected.json`, written by hand from `tar -tvf`. */
interface ExpectedEntry {
  path: string;
  type: 'file' | 'dir' | 'symlink';
  layer: number;
  size?: number;
  sha256?: string;
  target?: string;
  resolved?: string | null;
  problem?: string;
}
interface Expected {
  _limits?: { maxSymlinkDepth?: number };
  entries: ExpectedEntry[];
}

const edgeCases = path.join(fixturesDir(), 'images', 'layer-edge-cases');

/** Hashes every file; analyzeImage keeps only results of surviving files, so this is the final view's content. */
const hasher: FileAnalyzer = {
  name: 'sha256',
  version: 1,
  accepts: () => true,
  async analyze(file) {
    const hash = createHash('sha256');
    for await (const chunk of file.content) hash.update(chunk as Buffer);
    return { packages: [{ type: 'npm', name: file.path, version: hash.digest('hex'), path: file.path }] };
  },
};

function actualView(view: ImageView, hashes: Map<string, string>): ExpectedEntry[] {
  const actual: ExpectedEntry[] = [];
  for (const entry of view.entries()) {
    const out: ExpectedEntry = { path: entry.path, type: entry.type as ExpectedEntry['type'], layer: entry.layer };
    if (entry.type === 'file') Object.assign(out, { size: entry.size, sha256: hashes.get(entry.path) });
    if (entry.type === 'symlink') {
      const resolution = view.resolve(entry.path);
      out.target = entry.linkTarget;
      if ('path' in resolution) out.resolved = resolution.path;
      else Object.assign(out, { resolved: null, problem: resolution.problem });
    }
    actual.push(out);
  }
  return actual.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

describe('layer-edge-cases fixtures: the final view equals the hand-written oracle', () => {
  const names = readdirSync(edgeCases)
    .filter((f) => f.endsWith('.tar'))
    .map((f) => f.slice(0, -4))
    .sort();

  it('has an oracle for every fixture', () => {
    expect(names).toHaveLength(11);
    for (const name of names) expect(() => readFileSync(path.join(__dirname, 'testdata', `${name}.expected.json`))).not.toThrow();
  });

  it.each(names)('%s', async (name) => {
    const expected = JSON.parse(readFileSync(path.join(__dirname, 'testdata', `${name}.expected.json`), 'utf8')) as Expected;
    const layers = await dockerSaveLayers(path.join(edgeCases, `${name}.tar`));
    const result = await analyzeImage(layers, [hasher], { limits: expected._limits });
    const hashes = new Map(result.packages.map((p) => [p.name, p.version]));
    expect(actualView(result.view, hashes)).toEqual(expected.entries);
    // Every surviving file's package carries the digest of the layer the file came from.
    for (const p of result.packages) expect(p.layerDigest).toBe(layers[result.view.get(p.path)?.layer ?? -1].digest);
  });

  it('symlink-attack: neither link leads anywhere, both are on record', async () => {
    const layers = await dockerSaveLayers(path.join(edgeCases, 'symlink-attack.tar'));
    const { view, warnings } = await analyzeImage(layers, []);
    expect(view.resolve('dir1/attack-symlink.txt')).toEqual({ problem: 'escapes_root' });
    expect(view.resolve('/dir1/attack-symlink-absolute.txt')).toEqual({ problem: 'escapes_root' });
    expect(view.resolve('dir1/attack-symlink.txt/x')).toEqual({ problem: 'escapes_root' });
    expect(warnings).toEqual([
      'symlink dir1/attack-symlink-absolute.txt: escapes root; not followed',
      'symlink dir1/attack-symlink.txt: escapes root; not followed',
    ]);
  });

  it('symlink-depth-exceeded: within the default depth of 40 every link resolves', async () => {
    const layers = await dockerSaveLayers(path.join(edgeCases, 'symlink-depth-exceeded.tar'));
    const { view, warnings } = await analyzeImage(layers, []);
    expect(view.resolve('dir1/symlink7.txt')).toEqual({ path: 'dir1/sample.txt' });
    expect(warnings).toEqual([]);
  });

  it('symlink-cycle: each link of the cycle is reported once', async () => {
    const layers = await dockerSaveLayers(path.join(edgeCases, 'symlink-cycle.tar'));
    const { view, warnings } = await analyzeImage(layers, []);
    view.resolve('dir1/sample.txt');
    expect(warnings).toEqual([
      'symlink dir1/absolute-symlink.txt: cycle; not followed',
      'symlink dir1/chain-symlink.txt: cycle; not followed',
      'symlink dir1/sample.txt: cycle; not followed',
    ]);
  });
});

describe('alpine-310 (a gzipped docker save of alpine:3.10)', () => {
  const archive = path.join(fixturesDir(), 'images', 'alpine-310.docker.tar.gz');

  it('walks all 482 entries of its one layer (tar -tf: 70 files, 88 directories, 324 symlinks)', async () => {
    const [layer] = await dockerSaveLayers(archive);
    const counts: Record<string, number> = {};
    const paths = new Set<string>();
    const entries = await walkLayer(
      await layer.open(),
      layer.mediaType,
      { label: 'alpine', limits: layerLimits(), warn: () => undefined },
      async (entry) => {
        counts[entry.type] = (counts[entry.type] ?? 0) + 1;
        paths.add(entry.path);
      },
    );
    expect(entries).toBe(482);
    expect(counts).toEqual({ file: 70, dir: 88, symlink: 324 });
    expect(paths.has('lib/apk/db/installed')).toBe(true);
    expect(paths.has('etc/os-release')).toBe(true);
  });

  it('streams lib/apk/db/installed and etc/os-release to an analyzer, byte for byte', async () => {
    const layers = await dockerSaveLayers(archive);
    const wanted = new Set(['lib/apk/db/installed', 'etc/os-release']);
    const seen: { path: string; size: number; mode: number }[] = [];
    const analyzer: FileAnalyzer = {
      ...hasher,
      accepts: (p, size, mode) => wanted.has(p) && seen.push({ path: p, size, mode }) > 0,
    };
    const result = await analyzeImage(layers, [analyzer]);
    expect(seen).toEqual([
      { path: 'etc/os-release', size: 164, mode: 0o644 },
      { path: 'lib/apk/db/installed', size: 11226, mode: 0o644 },
    ]);
    const digest = 'sha256:531743b7098cb2aaf615641007a129173f63ed86ca32fe7b5a246a1c47286028';
    expect(result.packages).toEqual([
      {
        type: 'npm',
        name: 'etc/os-release',
        version: 'a3a5910ef974f883c576e21b11a9f5c43205444ebf5bbd092537a070430dd9ac',
        path: 'etc/os-release',
        layerDigest: digest,
      },
      {
        type: 'npm',
        name: 'lib/apk/db/installed',
        version: '093418f82537bc592abc829e987b06487d8f5e7ef6f8767f48faa46113429e71',
        path: 'lib/apk/db/installed',
        layerDigest: digest,
      },
    ]);
    expect(result.view.size).toBe(482);
    expect(result.view.resolve('bin/sh')).toEqual({ path: 'bin/busybox' });
    expect(result.warnings).toEqual([]);
  });
});
