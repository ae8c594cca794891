import { CARET, TILDE, compareDigitRuns, compareDigits, compareRuns, hasSpaceOrControl, isAlnum, isAlpha, isDigit } from './chars';
import { type Comparison, Rejected, defineScheme } from './scheme';

/**
 * RPM versions, `[epoch:]version[-release]` (Red Hat, AlmaLinux, Rocky, Mariner, SUSE, ...),
 * ordered as rpm does: the epoch numerically (missing = 0), then the version and the release
 * with `rpmvercmp`, including `~` (sorts before anything, even the end) and `^` (sorts after the
 * end but before anything else) as rpm 4.15 and later do.
 *
 * Splitting follows rpm's `parseEVR`: the epoch is the run of leading digits when a `:` follows
 * it (so `1.m+e2:1` has no epoch and is all version), the release is what follows the last `-`.
 *
 * A version without a release sorts before the same version with any release, even an empty
 * one (`1 < 1-0`, `1 < 1-`). rpm itself skips the release when either side has none; the shared
 * fixture (redhat-versions.txt) orders them this way, and it is the safe reading for matching:
 * a bare `1.0` in an advisory is older than any built `1.0-N`.
 */
interface RpmVersion {
  /** The epoch's digits ('' when absent, which compares as 0). */
  readonly epoch: string;
  readonly version: string;
  /** The release, or undefined when there is no `-`. */
  readonly release: string | undefined;
}

function parseRpm(evr: string): RpmVersion | Rejected {
  if (hasSpaceOrControl(evr)) return new Rejected('contains whitespace or control characters');
  let start = 0;
  while (start < evr.length && isDigit(evr.charCodeAt(start))) start++;
  let epoch = '';
  if (evr[start] === ':') {
    epoch = evr.slice(0, start);
    start++;
  } else {
    start = 0;
  }
  const hyphen = evr.lastIndexOf('-');
  const hasRelease = hyphen >= start;
  const version = hasRelease ? evr.slice(start, hyphen) : evr.slice(start);
  if (version === '') return new Rejected(hasRelease ? 'version before the release is empty' : 'version after the epoch is empty');
  return { epoch, version, release: hasRelease ? evr.slice(hyphen + 1) : undefined };
}

/** Separators are skipped: anything but ASCII letters, digits, `~` and `^`. */
function isSeparator(code: number): boolean {
  return !isAlnum(code) && code !== TILDE && code !== CARET;
}

const END = -1;

/** rpm's `rpmvercmp` for one version or release string. */
function rpmCompareSegments(a: string, b: string): Comparison {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while (i < a.length && isSeparator(a.charCodeAt(i))) i++;
    while (j < b.length && isSeparator(b.charCodeAt(j))) j++;
    const ca = i < a.length ? a.charCodeAt(i) : END;
    const cb = j < b.length ? b.charCodeAt(j) : END;

    // `~` sorts before everything else, the end of the string included.
    if (ca === TILDE || cb === TILDE) {
      if (ca !== TILDE) return 1;
      if (cb !== TILDE) return -1;
      i++;
      j++;
      continue;
    }
    // `^` sorts after the end of the string but before anything else.
    if (ca === CARET || cb === CARET) {
      if (ca === END) return -1;
      if (cb === END) return 1;
      if (ca !== CARET) return 1;
      if (cb !== CARET) return -1;
      i++;
      j++;
      continue;
    }
    if (ca === END || cb === END) break;

    // A run of digits or a run of letters, of the kind `a` has at this point.
    let endA = i;
    let endB = j;
    const numeric = isDigit(ca);
    if (numeric) {
      while (endA < a.length && isDigit(a.charCodeAt(endA))) endA++;
      while (endB < b.length && isDigit(b.charCodeAt(endB))) endB++;
    } else {
      while (endA < a.length && isAlpha(a.charCodeAt(endA))) endA++;
      while (endB < b.length && isAlpha(b.charCodeAt(endB))) endB++;
    }
    // Different kinds: a number is newer than letters.
    if (endB === j) return numeric ? 1 : -1;

    const result = numeric ? compareDigitRuns(a, i, endA, b, j, endB) : compareRuns(a, i, endA, b, j, endB);
    if (result !== 0) return result;
    i = endA;
    j = endB;
  }
  const aDone = i >= a.length;
  const bDone = j >= b.length;
  if (aDone && bDone) return 0;
  return aDone ? -1 : 1;
}

function compareRpm(a: RpmVersion, b: RpmVersion): Comparison {
  const epochs = compareDigits(a.epoch, b.epoch);
  if (epochs !== 0) return epochs;
  const versions = rpmCompareSegments(a.version, b.version);
  if (versions !== 0) return versions;
  if (a.release === undefined || b.release === undefined) {
    if (a.release === b.release) return 0;
    return a.release === undefined ? -1 : 1;
  }
  return rpmCompareSegments(a.release, b.release);
}

/** RPM (epoch:version-release) versions. */
export const rpm = defineScheme('rpm', parseRpm, compareRpm);
