import { parse as parsePep440 } from '@renovatebot/pep440';
import { compareStrings } from './chars';
import { type Comparison, Rejected, defineScheme } from './scheme';

/**
 * Python package versions. PEP 440 versions are parsed by `@renovatebot/pep440` and ordered by
 * PEP 440's rules (the sort key of `packaging.version.Version`): epoch, release with trailing
 * zeros ignored, pre-release (a dev release alone sorts before the pre-releases), post-release,
 * dev release, then the local label (`1.0+local` > `1.0`; alphanumeric parts before numeric ones).
 *
 * Versions that are not PEP 440 (`0.1-bulbasaur`, `2004d`) still exist on PyPI and in advisories.
 * They are ordered as `packaging` before 22.0 ordered its `LegacyVersion` (the setuptools
 * scheme): all of them before every PEP 440 version, and among themselves by a key of
 * zero-padded numbers and `*`-prefixed words. Only strings made of ASCII letters, digits and
 * `. - _ + !` are accepted that way; anything else (`not a version`) is rejected.
 */
type Pep440Key = {
  readonly legacy: false;
  readonly epoch: number;
  /** The release numbers without trailing zeros. */
  readonly release: readonly number[];
  readonly pre: Marker;
  readonly post: Marker;
  readonly dev: Marker;
  /** Local label parts, numbers as numbers; undefined when there is none. */
  readonly local: readonly (string | number)[] | undefined;
};

type LegacyKey = {
  readonly legacy: true;
  readonly parts: readonly string[];
};

type PypiKey = Pep440Key | LegacyKey;

/**
 * A pre/post/dev segment as a sortable pair: `below` and `above` stand for packaging's
 * NegativeInfinity and Infinity (segment absent), otherwise the letter rank and the number.
 */
type Marker = { readonly rank: number; readonly number: number };
const BELOW: Marker = Object.freeze({ rank: -Infinity, number: 0 });
const ABOVE: Marker = Object.freeze({ rank: Infinity, number: 0 });

/** Pre-release letters as the parser normalizes them (`alpha` to `a`, `c`/`pre`/`preview` to `rc`). */
const PRE_RANK: ReadonlyMap<string, number> = new Map([
  ['a', 0],
  ['b', 1],
  ['rc', 2],
]);

function marker(segment: readonly (string | number)[] | null, rank: number): Marker | undefined {
  if (segment === null || segment.length < 2) return undefined;
  return { rank, number: Number(segment[1]) };
}

const ALL_DIGITS = /^[0-9]+$/;

function pep440Key(version: string): Pep440Key | undefined {
  const parsed = parsePep440(version);
  if (parsed === null) return undefined;
  const release = parsed.release.slice();
  while (release.length > 0 && release[release.length - 1] === 0) release.pop();

  const preLetter = parsed.pre !== null ? String(parsed.pre[0]) : undefined;
  let pre = marker(parsed.pre, preLetter === undefined ? 0 : (PRE_RANK.get(preLetter) ?? 0));
  const post = marker(parsed.post, 0);
  const dev = marker(parsed.dev, 0);
  // 1.0.dev0 sorts before 1.0a0: a dev release with neither pre nor post takes the lowest pre.
  if (pre === undefined) pre = post === undefined && dev !== undefined ? BELOW : ABOVE;

  // The parser's type says string, but it hands the local label over already split.
  const localParts = parsed.local as unknown as readonly string[] | string | null;
  const local =
    localParts === null
      ? undefined
      : (typeof localParts === 'string' ? localParts.split(/[._-]/) : localParts).map((part) =>
          ALL_DIGITS.test(part) ? Number(part) : part.toLowerCase(),
        );

  return { legacy: false, epoch: parsed.epoch, release, pre, post: post ?? BELOW, dev: dev ?? ABOVE, local };
}

const LEGACY_ALLOWED = /^[A-Za-z0-9._+!-]*[A-Za-z0-9][A-Za-z0-9._+!-]*$/;
const LEGACY_COMPONENT = /(\d+|[a-z]+|\.|-)/;
const LEGACY_REPLACEMENTS: ReadonlyMap<string, string> = new Map([
  ['pre', 'c'],
  ['preview', 'c'],
  ['-', 'final-'],
  ['rc', 'c'],
  ['dev', '@'],
]);

/** The setuptools/`LegacyVersion` key: numbers padded to 8 digits, other parts starred. */
function legacyKey(version: string): LegacyKey {
  const parts: string[] = [];
  const pieces = version.toLowerCase().split(LEGACY_COMPONENT);
  const add = (part: string): void => {
    if (part.startsWith('*')) {
      // drop a "-" before a pre-release word, and trailing zeros of the numbers before a word
      if (part < '*final') while (parts.length > 0 && parts[parts.length - 1] === '*final-') parts.pop();
      while (parts.length > 0 && parts[parts.length - 1] === '00000000') parts.pop();
    }
    parts.push(part);
  };
  for (const piece of pieces) {
    const part = LEGACY_REPLACEMENTS.get(piece) ?? piece;
    if (part === '' || part === '.') continue;
    add(part.charCodeAt(0) >= 48 && part.charCodeAt(0) <= 57 ? part.padStart(8, '0') : `*${part}`);
  }
  add('*final');
  return { legacy: true, parts };
}

function parsePypi(version: string): PypiKey | Rejected {
  const key = pep440Key(version);
  if (key !== undefined) return key;
  if (!LEGACY_ALLOWED.test(version)) return new Rejected('not a PEP 440 version');
  return legacyKey(version);
}

function compareNumbers(a: number, b: number): Comparison {
  return a === b ? 0 : a < b ? -1 : 1;
}

function compareMarkers(a: Marker, b: Marker): Comparison {
  return compareNumbers(a.rank, b.rank) || compareNumbers(a.number, b.number);
}

function compareLocal(a: Pep440Key['local'], b: Pep440Key['local']): Comparison {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? -1 : 1;
  const common = Math.min(a.length, b.length);
  for (let i = 0; i < common; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (typeof x === 'number' && typeof y === 'number') {
      if (x !== y) return compareNumbers(x, y);
    } else if (typeof x === 'number' || typeof y === 'number') {
      return typeof x === 'number' ? 1 : -1; // numeric parts sort after alphanumeric ones
    } else if (x !== y) {
      return compareStrings(x, y);
    }
  }
  return compareNumbers(a.length, b.length);
}

function compareReleases(a: readonly number[], b: readonly number[]): Comparison {
  const common = Math.min(a.length, b.length);
  for (let i = 0; i < common; i++) if (a[i] !== b[i]) return compareNumbers(a[i]!, b[i]!);
  return compareNumbers(a.length, b.length);
}

function compareLegacy(a: readonly string[], b: readonly string[]): Comparison {
  const common = Math.min(a.length, b.length);
  for (let i = 0; i < common; i++) if (a[i] !== b[i]) return compareStrings(a[i]!, b[i]!);
  return compareNumbers(a.length, b.length);
}

function comparePypi(a: PypiKey, b: PypiKey): Comparison {
  if (a.legacy || b.legacy) {
    if (a.legacy && b.legacy) return compareLegacy(a.parts, b.parts);
    return a.legacy ? -1 : 1; // legacy versions sort before every PEP 440 version
  }
  return (
    compareNumbers(a.epoch, b.epoch) ||
    compareReleases(a.release, b.release) ||
    compareMarkers(a.pre, b.pre) ||
    compareMarkers(a.post, b.post) ||
    compareMarkers(a.dev, b.dev) ||
    compareLocal(a.local, b.local)
  );
}

/** PyPI versions (PEP 440, with the legacy setuptools order for non-PEP 440 strings). */
export const pypi = defineScheme('pypi', parsePypi, comparePypi);
