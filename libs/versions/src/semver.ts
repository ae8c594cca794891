import { compareDigits, compareStrings, isDigits } from './chars';
import { type Comparison, Rejected, defineScheme } from './scheme';

/**
 * SemVer 2.0.0 (semver.org), as OSV `SEMVER` ranges and crates.io use it: `MAJOR.MINOR.PATCH`,
 * an optional `-pre.release` and an optional `+build` that does not take part in the order.
 * Numbers may be of any size (they are compared as digit strings); leading zeros are rejected
 * as the specification requires. Three readings go beyond the specification, each because OSV
 * data needs it (the shared fixture semver-versions.txt encodes all three):
 *  - a leading `v` is ignored (`v1.2.3` = `1.2.3`);
 *  - a bare major version is `MAJOR.0.0`, because every OSV range starts at `introduced: "0"`;
 *  - numeric components after PATCH (`1.1.3.4.5`) are build metadata, so they are ignored.
 * `MAJOR.MINOR` alone (`1.2`) stays invalid: neither OSV nor Cargo writes it, and guessing would
 * hide a malformed record.
 */
export interface SemVer {
  readonly major: string;
  readonly minor: string;
  readonly patch: string;
  /** The pre-release identifiers; empty for a release. */
  readonly prerelease: readonly string[];
}

const NUMBER = '(0|[1-9][0-9]*)';
const PRERELEASE_ID = '(?:0|[1-9][0-9]*|[0-9]*[a-zA-Z-][0-9a-zA-Z-]*)';
const BUILD_ID = '[0-9a-zA-Z-]+';
const SEMVER_PATTERN = new RegExp(
  `^v?${NUMBER}\\.${NUMBER}\\.${NUMBER}(?:\\.[0-9]+)*` +
    `(?:-(${PRERELEASE_ID}(?:\\.${PRERELEASE_ID})*))?` +
    `(?:\\+${BUILD_ID}(?:\\.${BUILD_ID})*)?$`,
);
const BARE_MAJOR = /^v?(0|[1-9][0-9]*)$/;
const NO_PRERELEASE: readonly string[] = Object.freeze([]);

/** Parses a SemVer 2.0.0 version (optionally `v`-prefixed). */
export function parseSemVer(version: string): SemVer | Rejected {
  const match = SEMVER_PATTERN.exec(version);
  if (match === null) {
    const bare = BARE_MAJOR.exec(version);
    if (bare !== null) return { major: bare[1]!, minor: '0', patch: '0', prerelease: NO_PRERELEASE };
    return new Rejected(semVerProblem(version));
  }
  const prerelease = match[4];
  return {
    major: match[1]!,
    minor: match[2]!,
    patch: match[3]!,
    prerelease: prerelease === undefined ? NO_PRERELEASE : prerelease.split('.'),
  };
}

/** A short explanation of why `version` is not SemVer, for the error message. */
function semVerProblem(version: string): string {
  const core = version.replace(/^v/, '').split(/[-+]/, 1)[0]!;
  const numbers = core.split('.');
  if (numbers.length < 3) return 'expected MAJOR.MINOR.PATCH';
  if (!numbers.every(isDigits)) return 'MAJOR.MINOR.PATCH must be numbers';
  if (numbers.some((n) => n.length > 1 && n.startsWith('0'))) return 'numbers must not have leading zeros';
  return 'malformed pre-release or build metadata';
}

function comparePrereleaseIds(a: string, b: string): Comparison {
  const aNumeric = isDigits(a);
  const bNumeric = isDigits(b);
  if (aNumeric && bNumeric) return compareDigits(a, b);
  if (aNumeric !== bNumeric) return aNumeric ? -1 : 1; // numeric identifiers sort first
  return compareStrings(a, b);
}

/** SemVer precedence; build metadata is ignored. */
export function compareSemVer(a: SemVer, b: SemVer): Comparison {
  const core = compareDigits(a.major, b.major) || compareDigits(a.minor, b.minor) || compareDigits(a.patch, b.patch);
  if (core !== 0) return core;
  const ap = a.prerelease;
  const bp = b.prerelease;
  if (ap.length === 0 || bp.length === 0) {
    // A release is newer than any of its pre-releases.
    return ap.length === bp.length ? 0 : ap.length === 0 ? 1 : -1;
  }
  const common = Math.min(ap.length, bp.length);
  for (let i = 0; i < common; i++) {
    const result = comparePrereleaseIds(ap[i]!, bp[i]!);
    if (result !== 0) return result;
  }
  return ap.length === bp.length ? 0 : ap.length < bp.length ? -1 : 1;
}

/** Plain SemVer 2.0.0 (OSV `SEMVER` ranges, crates.io). */
export const semver = defineScheme('semver', parseSemVer, compareSemVer);
