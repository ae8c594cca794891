import { COLON, DOT, HYPHEN, PLUS, TILDE, ZERO, isAlnum, isAlpha, isDigit, isDigits } from './chars';
import { type Comparison, Rejected, defineScheme, sign } from './scheme';

/**
 * Debian and Ubuntu package versions, `[epoch:]upstream_version[-debian_revision]`, ordered as
 * Debian Policy 5.6.12 and dpkg's `verrevcmp` define: the epoch numerically, then the upstream
 * version, then the revision, each compared as alternating non-digit and digit runs where `~`
 * sorts before everything (even the end of the string), letters before all other characters, and
 * digit runs compare numerically. A missing revision equals `0`.
 */
interface DpkgVersion {
  readonly epoch: number;
  readonly upstream: string;
  readonly revision: string;
}

/** dpkg stores the epoch in an `int` and rejects anything larger. */
const MAX_EPOCH = 2_147_483_647;

function parseDpkg(version: string): DpkgVersion | Rejected {
  let epoch = 0;
  let rest = version;
  const colon = version.indexOf(':');
  if (colon >= 0) {
    const epochText = version.slice(0, colon);
    if (!isDigits(epochText)) {
      return new Rejected(epochText === '' ? 'epoch before the colon is empty' : 'epoch is not a number');
    }
    epoch = Number(epochText);
    if (epoch > MAX_EPOCH) return new Rejected('epoch is too big');
    rest = version.slice(colon + 1);
    if (rest === '') return new Rejected('nothing after the colon');
  }

  let upstream = rest;
  let revision = '';
  const hyphen = rest.lastIndexOf('-');
  if (hyphen >= 0) {
    upstream = rest.slice(0, hyphen);
    revision = rest.slice(hyphen + 1);
    if (revision === '') return new Rejected('revision after the last hyphen is empty');
  }
  if (upstream === '') return new Rejected('upstream version is empty');

  // Policy: upstream is alphanumerics and `. + - ~` (a colon only after an epoch, as dpkg
  // still accepts); the revision is alphanumerics and `. + ~`. dpkg merely warns when the
  // upstream version does not start with a digit, so that is accepted here too.
  for (let i = 0; i < upstream.length; i++) {
    const c = upstream.charCodeAt(i);
    if (!isAlnum(c) && c !== DOT && c !== PLUS && c !== TILDE && c !== HYPHEN && c !== COLON) {
      return new Rejected(`invalid character ${JSON.stringify(upstream[i])} in upstream version`);
    }
  }
  for (let i = 0; i < revision.length; i++) {
    const c = revision.charCodeAt(i);
    if (!isAlnum(c) && c !== DOT && c !== PLUS && c !== TILDE) {
      return new Rejected(`invalid character ${JSON.stringify(revision[i])} in revision`);
    }
  }
  return { epoch, upstream, revision };
}

/** The weight of the character at `i` in a non-digit run (`i` past the end weighs 0). */
function order(s: string, i: number): number {
  if (i >= s.length) return 0;
  const c = s.charCodeAt(i);
  if (isDigit(c)) return 0;
  if (isAlpha(c)) return c;
  if (c === TILDE) return -1;
  return c + 256;
}

/** dpkg's `verrevcmp`: compares one upstream version or one revision with another. */
function dpkgCompareFragments(a: string, b: string): Comparison {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    // Non-digit prefix, character by character.
    while ((i < a.length && !isDigit(a.charCodeAt(i))) || (j < b.length && !isDigit(b.charCodeAt(j)))) {
      const diff = order(a, i) - order(b, j);
      if (diff !== 0) return sign(diff);
      i++;
      j++;
    }
    // Digit run, numerically: skip leading zeros, then the longer run wins, else the first
    // differing digit.
    while (i < a.length && a.charCodeAt(i) === ZERO) i++;
    while (j < b.length && b.charCodeAt(j) === ZERO) j++;
    let firstDiff = 0;
    while (i < a.length && j < b.length && isDigit(a.charCodeAt(i)) && isDigit(b.charCodeAt(j))) {
      if (firstDiff === 0) firstDiff = a.charCodeAt(i) - b.charCodeAt(j);
      i++;
      j++;
    }
    if (i < a.length && isDigit(a.charCodeAt(i))) return 1;
    if (j < b.length && isDigit(b.charCodeAt(j))) return -1;
    if (firstDiff !== 0) return sign(firstDiff);
  }
  return 0;
}

function compareDpkg(a: DpkgVersion, b: DpkgVersion): Comparison {
  if (a.epoch !== b.epoch) return a.epoch < b.epoch ? -1 : 1;
  return dpkgCompareFragments(a.upstream, b.upstream) || dpkgCompareFragments(a.revision, b.revision);
}

/** Debian/Ubuntu (dpkg) versions. */
export const dpkg = defineScheme('dpkg', parseDpkg, compareDpkg);
