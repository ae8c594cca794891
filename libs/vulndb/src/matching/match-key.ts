import type { OsInfo, Package } from '@vulnscan/analysis';
import type { MatchKey } from './types';

/**
 * The name PyPI and its feeds compare by (PEP 503): lower case, every run of `-`, `_` and `.`
 * one `-`. Feeds keep the project's own spelling, so both sides are normalized before comparing.
 */
export function normalizePypiName(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}

/** The name as an ecosystem compares it: PEP 503 for PyPI, exact everywhere else. */
export function comparableName(ecosystem: string, name: string): string {
  return ecosystem === 'PyPI' ? normalizePypiName(name) : name;
}

/** Debian release codenames → major versions, for testing/unstable and derivatives with their own VERSION_ID. */
const DEBIAN_CODENAMES: ReadonlyMap<string, string> = new Map([
  ['jessie', '8'],
  ['stretch', '9'],
  ['buster', '10'],
  ['bullseye', '11'],
  ['bookworm', '12'],
  ['trixie', '13'],
  ['forky', '14'],
]);

/** Ubuntu codenames → releases, for derivatives (Mint, Pop!_OS) whose VERSION_ID is their own. */
const UBUNTU_CODENAMES: ReadonlyMap<string, string> = new Map([
  ['xenial', '16.04'],
  ['bionic', '18.04'],
  ['focal', '20.04'],
  ['jammy', '22.04'],
  ['kinetic', '22.10'],
  ['lunar', '23.04'],
  ['mantic', '23.10'],
  ['noble', '24.04'],
  ['oracular', '24.10'],
  ['plucky', '25.04'],
  ['questing', '25.10'],
]);

/** `Debian:12` from `12.5`, `12`, or (without a numeric version) the codename. */
function debianEcosystem(os: OsInfo): string | undefined {
  if (os.id === 'debian') {
    const major = /^(\d+)(?:\.|$)/.exec(os.version ?? '')?.[1];
    if (major !== undefined) return `Debian:${major}`;
  }
  // A derivative's VERSION_ID is its own (Kali 2024.1); only a Debian codename says which Debian.
  const fromCodename = os.codename === undefined ? undefined : DEBIAN_CODENAMES.get(os.codename);
  return fromCodename === undefined ? undefined : `Debian:${fromCodename}`;
}

/** `Ubuntu:22.04:LTS` (YY.04 of an even year), `Ubuntu:23.10`, as OSV names Ubuntu releases. */
function ubuntuEcosystem(os: OsInfo): string | undefined {
  let release: string | undefined;
  if (os.id === 'ubuntu') release = /^(\d{2}\.\d{2})(?:\.|$)/.exec(os.version ?? '')?.[1];
  if (release === undefined && os.codename !== undefined) release = UBUNTU_CODENAMES.get(os.codename);
  if (release === undefined) return undefined;
  const [year, month] = release.split('.').map(Number);
  const lts = month === 4 && year! % 2 === 0;
  return `Ubuntu:${release}${lts ? ':LTS' : ''}`;
}

/** `Alpine:v3.18` from `3.18.4` (or `3.18`). */
function alpineEcosystem(os: OsInfo): string | undefined {
  const match = /^(\d+)\.(\d+)/.exec(os.version ?? '');
  return match ? `Alpine:v${match[1]}.${match[2]}` : undefined;
}

/**
 * rpm distributions by os-release ID. OSV names AlmaLinux and Rocky Linux releases by major
 * version (`AlmaLinux:9`) and Mariner by release (`Mariner:2.0`); Red Hat's OSV ecosystems name
 * products and repositories (`Red Hat:enterprise_linux:9::appstream`) that os-release cannot tell,
 * so Red Hat, SUSE and the rest stay bare. None has a feed here: the key serves coverage.
 */
function rpmEcosystem(os: OsInfo): string | undefined {
  const id = os.id;
  const major = /^(\d+)/.exec(os.version ?? '')?.[1];
  const majorMinor = /^(\d+\.\d+)/.exec(os.version ?? '')?.[1];
  const withRelease = (base: string, release: string | undefined): string => (release === undefined ? base : `${base}:${release}`);
  if (id === 'rhel' || id === 'centos') return 'Red Hat';
  if (id === 'almalinux') return withRelease('AlmaLinux', major);
  if (id === 'rocky') return withRelease('Rocky Linux', major);
  if (id === 'mariner' || id === 'azurelinux') return withRelease('Mariner', majorMinor ?? major);
  if (id.startsWith('opensuse')) return 'openSUSE';
  if (id === 'sles' || id === 'sled' || id === 'sle-micro') return 'SUSE';
  if (id === 'fedora') return 'Fedora';
  if (id === 'ol') return 'Oracle Linux';
  if (id === 'amzn') return 'Amazon Linux';
  return undefined;
}

/** `foo-1.2-3.el9.src.rpm` → `foo`: the name part of a source rpm's file name. */
function sourceRpmName(sourceRpm: string | undefined): string | undefined {
  return sourceRpm === undefined ? undefined : /^(.+)-[^-]+-[^-]+\.(?:no)?src\.rpm$/.exec(sourceRpm)?.[1];
}

/**
 * Go toolchain versions as the analyzer records them (`1.21.3`, `1.21`, `1.21rc2`) in the SemVer
 * form OSV's `stdlib` ranges use (`1.21.3`, `1.21.0`, `1.21.0-rc.2`); anything else as given.
 */
function stdlibVersion(version: string): string {
  const bare = version.startsWith('go') ? version.slice(2) : version;
  const match = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:(alpha|beta|rc)(\d+))?$/.exec(bare);
  if (!match) return bare.replace(/^v/, '');
  const [, major, minor = '0', patch = '0', pre, preNumber] = match;
  return `${major}.${minor}.${patch}${pre === undefined ? '' : `-${pre}.${preNumber}`}`;
}

/**
 * How feeds would key `pkg`: its ecosystem and name, and the version to compare. Undefined for an
 * OS package whose distribution is unknown (no OS, an unknown family, no usable release): such a
 * package cannot be matched, and coverage counts it as `unknown`.
 */
export function matchKey(pkg: Package, os: OsInfo | undefined): MatchKey | undefined {
  switch (pkg.type) {
    case 'deb': {
      if (os === undefined) return undefined;
      const ecosystem = os.family === 'debian' ? debianEcosystem(os) : os.family === 'ubuntu' ? ubuntuEcosystem(os) : undefined;
      if (ecosystem === undefined) return undefined;
      return { ecosystem, name: pkg.source?.name ?? pkg.name, version: pkg.source?.version ?? pkg.version };
    }
    case 'apk': {
      if (os === undefined || os.family !== 'alpine') return undefined;
      const ecosystem = alpineEcosystem(os);
      if (ecosystem === undefined) return undefined;
      return { ecosystem, name: pkg.source?.name ?? pkg.name, version: pkg.source?.version ?? pkg.version };
    }
    case 'rpm': {
      // By ID rather than family: SUSE's IDs have no family of their own, yet are rpm distributions.
      const ecosystem = os === undefined ? undefined : rpmEcosystem(os);
      if (ecosystem === undefined) return undefined;
      const name = pkg.source?.name ?? sourceRpmName(pkg.rpm?.sourceRpm) ?? pkg.name;
      return { ecosystem, name, version: pkg.version };
    }
    case 'npm': {
      const scope =
        pkg.namespace === undefined || pkg.namespace === ''
          ? undefined
          : pkg.namespace.startsWith('@')
            ? pkg.namespace
            : `@${pkg.namespace}`;
      return { ecosystem: 'npm', name: scope === undefined ? pkg.name : `${scope}/${pkg.name}`, version: pkg.version };
    }
    case 'pypi':
      return { ecosystem: 'PyPI', name: normalizePypiName(pkg.name), version: pkg.version };
    case 'golang': {
      if (pkg.name === 'stdlib' && !pkg.namespace) return { ecosystem: 'Go', name: 'stdlib', version: stdlibVersion(pkg.version) };
      const name = pkg.namespace ? `${pkg.namespace}/${pkg.name}` : pkg.name;
      return { ecosystem: 'Go', name, version: pkg.version.replace(/^v/, '') };
    }
    case 'maven':
      return { ecosystem: 'Maven', name: pkg.namespace ? `${pkg.namespace}:${pkg.name}` : pkg.name, version: pkg.version };
    default:
      return undefined;
  }
}
