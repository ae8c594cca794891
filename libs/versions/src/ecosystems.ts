import { apk } from './apk';
import { dpkg } from './dpkg';
import { go } from './go';
import { maven } from './maven';
import { npm } from './npm';
import { pypi } from './pypi';
import { rpm } from './rpm';
import type { VersionScheme } from './scheme';
import { semver } from './semver';

/**
 * OSV ecosystem names (the part before the first `:`, so `Debian:12`, `Ubuntu:22.04:LTS`,
 * `Alpine:v3.18` and `Red Hat:enterprise_linux:9::appstream` find their base) to schemes.
 * Names are matched exactly as OSV spells them.
 */
const BY_ECOSYSTEM: ReadonlyMap<string, VersionScheme> = new Map([
  ['Debian', dpkg],
  ['Ubuntu', dpkg],
  ['Alpine', apk],
  ['Red Hat', rpm],
  ['AlmaLinux', rpm],
  ['Rocky Linux', rpm],
  ['Mariner', rpm],
  ['openSUSE', rpm],
  ['SUSE', rpm],
  ['npm', npm],
  ['PyPI', pypi],
  ['Go', go],
  ['Maven', maven],
  ['crates.io', semver],
]);

/** The scheme that orders versions of an OSV ecosystem, or undefined for one not supported. */
export function versionSchemeFor(ecosystem: string): VersionScheme | undefined {
  const colon = ecosystem.indexOf(':');
  return BY_ECOSYSTEM.get(colon < 0 ? ecosystem : ecosystem.slice(0, colon));
}

/** The names `schemeByName` knows, as the CLI lists them. */
export const SCHEME_NAMES = ['debian', 'alpine', 'rpm', 'npm', 'pypi', 'go', 'maven', 'semver'] as const;

const BY_NAME: ReadonlyMap<string, VersionScheme> = new Map([
  ['debian', dpkg],
  ['alpine', apk],
  ['rpm', rpm],
  ['npm', npm],
  ['pypi', pypi],
  ['go', go],
  ['maven', maven],
  ['semver', semver],
  // the schemes' own names, for callers holding a VersionScheme.name
  ['dpkg', dpkg],
  ['apk', apk],
]);

/** A scheme by its short name: `debian` (= `dpkg`), `alpine` (= `apk`), `rpm`, `npm`, `pypi`, `go`, `maven`, `semver`. */
export function schemeByName(name: string): VersionScheme | undefined {
  return BY_NAME.get(name);
}
