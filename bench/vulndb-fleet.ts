/**
 * SBOMs for the vulndb benchmark, built from real package lists: the fixture dpkg (Debian 12,
 * Ubuntu 18.04), apk (Alpine 3.18) and rpm (CBL-Mariner 2.0) databases, PyPI projects and Go
 * modules with the versions the fixture OSV exports name, and npm packages as installed in this
 * workspace's node_modules. Every SBOM is a pure function of its index, so the fleet never has
 * to be held in memory and any one of them can be rebuilt later.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  analyzerSetVersion,
  buildSbom,
  type OsInfo,
  type Package,
  parseApkInstalled,
  parseDpkgStatus,
  type Sbom,
} from '@vulnscan/analysis';
import { fixturesDir } from '@vulnscan/testing';
import { type AffectedPackage, normalizePypiName, readFeed } from '@vulnscan/vulndb';
import { ROOT } from '../test/support/platform';

export const ANALYZER_VERSION = analyzerSetVersion();
export const REGISTRY = 'registry.bench.example';

/**
 * The 1 % canary: a real PyPI project only every 100th SBOM of the fleet holds (it is kept out of
 * the shared pool), so an advisory change about it touches exactly those SBOMs.
 */
export const CANARY = { type: 'pypi' as const, name: 'Jinja2', version: '2.10', matchName: 'jinja2' };
export const CANARY_EVERY = 100;
export const CANARY_OFFSET = 37;

export const isCanary = (index: number): boolean => index % CANARY_EVERY === CANARY_OFFSET;

type Base = 'debian12' | 'ubuntu1804' | 'alpine' | 'mariner2';
type App = 'python' | 'go' | 'node';

const OS: Record<Exclude<Base, 'alpine'>, OsInfo> = {
  debian12: {
    id: 'debian',
    family: 'debian',
    version: '12',
    codename: 'bookworm',
    prettyName: 'Debian GNU/Linux 12 (bookworm)',
    path: 'etc/os-release',
  },
  ubuntu1804: {
    id: 'ubuntu',
    family: 'ubuntu',
    version: '18.04',
    codename: 'bionic',
    prettyName: 'Ubuntu 18.04.6 LTS',
    path: 'etc/os-release',
  },
  // CBL-Mariner has no ID_LIKE: its family is unknown, which a system package's OS check trusts.
  mariner2: { id: 'mariner', family: 'unknown', version: '2.0', prettyName: 'CBL-Mariner/Linux', path: 'etc/os-release' },
};
/** The apk fixture is an Alpine 3.18 database; images claim neighbouring releases too. */
export const ALPINE_RELEASES = ['3.17.5', '3.18.4', '3.19.1'];
const alpineOs = (release: string): OsInfo => ({
  id: 'alpine',
  family: 'alpine',
  version: release,
  prettyName: `Alpine Linux v${release.split('.').slice(0, 2).join('.')}`,
  path: 'etc/os-release',
});

/** A small deterministic PRNG (mulberry32): the same index gives the same SBOM on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

/** `count` distinct items, in a random order. */
function sample<T>(random: () => number, items: readonly T[], count: number): T[] {
  const copy = [...items];
  const n = Math.min(count, copy.length);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(random() * (copy.length - i));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy.slice(0, n);
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** A language package name with the versions feeds name for it (vulnerable ones and fixes). */
interface LanguageName {
  namespace?: string;
  name: string;
  versions: string[];
}

export interface Pools {
  debian12: Package[];
  ubuntu1804: Package[];
  alpine: Package[];
  mariner2: Package[];
  pypi: LanguageName[];
  go: LanguageName[];
  /** Go toolchain releases (stdlib versions) that Go advisories name. */
  stdlib: string[];
  npm: LanguageName[];
}

/** Versions a feed names for a package: listed ones, and every range event's version. */
function versionsOf(affected: AffectedPackage): string[] {
  const out = [...affected.versions];
  for (const range of affected.ranges) {
    for (const event of range.events) {
      for (const value of [event.introduced, event.fixed, event.last_affected]) if (value && value !== '0') out.push(value);
    }
  }
  return out;
}

/** A version just below a semver fix: the patch minus one (`1.4.2` → `1.4.1`), when there is one. */
function justBelow(version: string): string | undefined {
  const match = /^(\d+)\.(\d+)\.(\d+)$/.exec(version);
  if (!match || match[3] === '0') return undefined;
  return `${match[1]}.${match[2]}.${Number(match[3]) - 1}`;
}

async function languagePools(): Promise<Pick<Pools, 'pypi' | 'go' | 'stdlib'>> {
  const feeds = join(fixturesDir(), 'feeds', 'osv');
  const pypi = new Map<string, Set<string>>();
  const go = new Map<string, Set<string>>();
  const stdlib = new Set<string>();
  const add = (map: Map<string, Set<string>>, name: string, versions: string[]): void => {
    const set = map.get(name) ?? new Set<string>();
    for (const v of versions) if (set.size < 40) set.add(v);
    map.set(name, set);
  };
  for (const [ecosystem, zip] of [
    ['PyPI', join(feeds, 'PyPI', 'all.zip')],
    ['Go', join(feeds, 'Go', 'all.zip')],
  ] as const) {
    for await (const item of readFeed({ name: ecosystem, kind: 'osv', location: zip })) {
      if (item.kind !== 'advisory') continue;
      for (const affected of item.advisory.affected) {
        if (affected.ecosystem !== ecosystem) continue;
        const versions = versionsOf(affected);
        if (ecosystem === 'PyPI') {
          if (normalizePypiName(affected.name) === CANARY.matchName) continue;
          add(
            pypi,
            affected.name,
            versions.filter((v) => /^\d/.test(v)),
          );
        } else if (affected.name === 'stdlib') {
          for (const v of versions) if (/^1\.\d+\.\d+$/.test(v)) stdlib.add(v);
        } else if (affected.name !== 'toolchain' && affected.name.includes('/')) {
          // Go module versions as the SBOM records them (v-prefixed), and one just below each fix.
          const semver = versions.filter((v) => /^\d+\.\d+\.\d+/.test(v));
          add(
            go,
            affected.name,
            [...semver, ...semver.map(justBelow).filter((v): v is string => !!v)].map((v) => `v${v}`),
          );
        }
      }
    }
  }
  const toNames = (map: Map<string, Set<string>>, split: boolean): LanguageName[] =>
    [...map.entries()]
      .filter(([, versions]) => versions.size > 0)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, versions]) => {
        const slash = name.lastIndexOf('/');
        return split && slash > 0
          ? { namespace: name.slice(0, slash), name: name.slice(slash + 1), versions: [...versions] }
          : { name, versions: [...versions] };
      });
  return { pypi: toNames(pypi, false), go: toNames(go, true), stdlib: [...stdlib].sort() };
}

/** npm packages as installed in this workspace (top level and scoped): real names and versions. */
function npmPool(): LanguageName[] {
  const dir = join(ROOT, 'node_modules');
  const out: LanguageName[] = [];
  const read = (path: string, namespace?: string, name?: string): void => {
    const file = join(path, 'package.json');
    if (!existsSync(file)) return;
    try {
      const manifest = JSON.parse(readFileSync(file, 'utf8')) as { version?: string };
      if (manifest.version && name) out.push({ ...(namespace ? { namespace } : {}), name, versions: [manifest.version] });
    } catch {
      // not a package
    }
  };
  for (const entry of readdirSync(dir).sort()) {
    if (entry.startsWith('.')) continue;
    if (entry.startsWith('@')) {
      for (const scoped of readdirSync(join(dir, entry)).sort()) read(join(dir, entry, scoped), entry, scoped);
    } else {
      read(join(dir, entry), undefined, entry);
    }
  }
  return out;
}

/** The rpm fixture's expected list (`rpm -qa`): name, [epoch:]version-release, arch, source rpm. */
function marinerPackages(): Package[] {
  const text = readFileSync(join(fixturesDir(), 'pkgdb', 'rpm', 'cbl-mariner-2.0.expected.tsv'), 'utf8');
  return text
    .split('\n')
    .filter((line) => line.trim() && !line.startsWith('#'))
    .flatMap((line): Package[] => {
      const [name, evr, arch, sourceRpm] = line.split('\t') as [string, string, string, string | undefined];
      if (name === 'gpg-pubkey') return [];
      // `rpm -q --qf %{EPOCHNUM}` prints 0 for no epoch; the analyzer records none then.
      const epochMatch = /^(\d+):(.*)$/.exec(evr);
      const epoch = epochMatch && epochMatch[1] !== '0' ? Number(epochMatch[1]) : undefined;
      const vr = epochMatch ? epochMatch[2]! : evr;
      const dash = vr.lastIndexOf('-');
      const version = vr.slice(0, dash);
      const release = vr.slice(dash + 1);
      const prefix = epoch === undefined ? '' : `${epoch}:`;
      const src = sourceRpm ? /^(.+)-([^-]+)-([^-]+)\.src\.rpm$/.exec(sourceRpm) : null;
      return [
        {
          type: 'rpm',
          name,
          version: `${prefix}${version}-${release}`,
          arch,
          rpm: { ...(epoch === undefined ? {} : { epoch }), version, release, ...(sourceRpm ? { sourceRpm } : {}) },
          source: src ? { name: src[1]!, version: `${prefix}${src[2]}-${src[3]}` } : { name, version: `${prefix}${version}-${release}` },
          path: 'var/lib/rpm/rpmdb.sqlite',
        },
      ];
    });
}

export async function loadPools(): Promise<Pools> {
  const pkgdb = join(fixturesDir(), 'pkgdb');
  const dpkg = (file: string): Package[] => parseDpkgStatus(readFileSync(join(pkgdb, file), 'utf8'), 'var/lib/dpkg/status').packages;
  const language = await languagePools();
  return {
    debian12: dpkg('dpkg-debian12-minbase.status'),
    ubuntu1804: dpkg('dpkg-ubuntu1804.status'),
    alpine: parseApkInstalled(readFileSync(join(pkgdb, 'apk', 'installed'), 'utf8'), 'lib/apk/db/installed').packages,
    mariner2: marinerPackages(),
    ...language,
    npm: npmPool(),
  };
}

export interface FleetImage {
  index: number;
  manifestDigest: string;
  /** The image reference its scan used (`registry/repository:tag`). */
  reference: string;
  repository: string;
  sbom: Sbom;
}

function layers(seed: string, count: number): Sbom['image']['layers'] {
  return Array.from({ length: count }, (_, i) => ({
    digest: `sha256:${sha256(`${seed}/layer/${i}`)}`,
    size: 1_000_000 + (parseInt(sha256(`${seed}/size/${i}`).slice(0, 6), 16) % 50_000_000),
    mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip',
  }));
}

function languagePackages(random: () => number, pools: Pools, app: App, count: number, layerDigest: string): Package[] {
  const make = (type: 'pypi' | 'golang' | 'npm', entry: LanguageName, path: string): Package => ({
    type,
    ...(entry.namespace ? { namespace: entry.namespace } : {}),
    name: entry.name,
    version: pick(random, entry.versions),
    path,
    layerDigest,
  });
  switch (app) {
    case 'python':
      return sample(random, pools.pypi, count).map((entry) =>
        make('pypi', entry, `usr/local/lib/python3.11/site-packages/${entry.name.replace(/-/g, '_')}-dist-info/METADATA`),
      );
    case 'go': {
      const stdlib: Package = {
        type: 'golang',
        name: 'stdlib',
        version: pick(random, pools.stdlib),
        path: 'usr/local/bin/app',
        layerDigest,
      };
      return [stdlib, ...sample(random, pools.go, count - 1).map((entry) => make('golang', entry, 'usr/local/bin/app'))];
    }
    case 'node':
      return sample(random, pools.npm, count).map((entry) =>
        make('npm', entry, `app/node_modules/${entry.namespace ? `${entry.namespace}/` : ''}${entry.name}/package.json`),
      );
  }
}

/** OS packages of a base, a few left out at random (never the C library, which every image keeps). */
function basePackages(random: () => number, packages: Package[], layerDigest: string): Package[] {
  const keep = new Set(['libc6', 'musl', 'glibc']);
  const drop = Math.floor(random() * Math.min(8, packages.length / 10));
  const dropped = new Set(
    sample(
      random,
      packages.filter((p) => !keep.has(p.name)),
      drop,
    ),
  );
  return packages.filter((p) => !dropped.has(p)).map((p) => ({ ...p, layerDigest }));
}

function sbomOf(
  index: number,
  kind: string,
  os: OsInfo | undefined,
  packages: Package[],
  imageLayers: Sbom['image']['layers'],
): FleetImage {
  const manifestDigest = `sha256:${sha256(`bench-vulndb/${kind}/${index}`)}`;
  const repository = `fleet/${kind}-${String(index).padStart(5, '0')}`;
  const reference = `${REGISTRY}/${repository}:1.0`;
  const sbom = buildSbom({
    image: {
      reference,
      manifestDigest,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      platform: { os: 'linux', architecture: 'amd64' },
      layers: imageLayers,
    },
    ...(os ? { os } : {}),
    packages,
    analyzer: { name: 'vulnscan', version: ANALYZER_VERSION },
    createdAt: new Date(Date.UTC(2025, 0, 1) + index * 60_000),
  });
  return { index, manifestDigest, reference, repository, sbom };
}

/**
 * Image `index` of the fleet: about `target` packages. 40 % Debian 12, 20 % each Ubuntu 18.04,
 * Alpine (3.17–3.19) and CBL-Mariner 2.0; on top a Python, Go or Node application (Mariner
 * images always carry a Go service). Every 100th image also holds the canary project.
 */
export function fleetImage(pools: Pools, index: number, target = 200): FleetImage {
  const random = prng(0x5eed ^ (index * 2654435761));
  const slot = index % 10;
  const base: Base = slot < 4 ? 'debian12' : slot < 6 ? 'alpine' : slot < 8 ? 'ubuntu1804' : 'mariner2';
  const apps: App[] = ['python', 'go', 'node'];
  const app: App = base === 'mariner2' ? 'go' : pick(random, apps);
  const imageLayers = layers(`fleet/${index}`, 2 + Math.floor(random() * 3));
  const os = base === 'alpine' ? alpineOs(pick(random, ALPINE_RELEASES)) : OS[base];
  const osPackages = basePackages(random, pools[base], imageLayers[0]!.digest);
  const size = Math.max(20, Math.round(target * (0.9 + random() * 0.2)) - osPackages.length);
  const appLayer = imageLayers[imageLayers.length - 1]!.digest;
  const packages = [...osPackages, ...languagePackages(random, pools, app, size, appLayer)];
  if (isCanary(index)) {
    packages.push({
      type: CANARY.type,
      name: CANARY.name,
      version: CANARY.version,
      path: 'usr/local/lib/python3.11/site-packages/Jinja2-2.10.dist-info/METADATA',
      layerDigest: appLayer,
    });
  }
  return sbomOf(index, base, os, packages, imageLayers);
}

/**
 * One large Debian 12 image of `size` packages: the whole minbase, then PyPI projects, Go
 * modules (with the toolchain's stdlib) and npm packages in a 45/40/15 split of the rest.
 */
export function largeImage(pools: Pools, size = 1000): FleetImage {
  const random = prng(0x1000);
  const imageLayers = layers('large', 4);
  const os = pools.debian12.map((p) => ({ ...p, layerDigest: imageLayers[0]!.digest }));
  const rest = size - os.length;
  const python = Math.round(rest * 0.45);
  const go = Math.round(rest * 0.4);
  const node = rest - python - go;
  const packages = [
    ...os,
    ...languagePackages(random, pools, 'python', python, imageLayers[1]!.digest),
    ...languagePackages(random, pools, 'go', go, imageLayers[2]!.digest),
    ...languagePackages(random, pools, 'node', node, imageLayers[3]!.digest),
  ];
  return sbomOf(0, 'large', OS.debian12, packages, imageLayers);
}
