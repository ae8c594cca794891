import { DOT, HYPHEN, LOWER_A, LOWER_R, LOWER_Z, TILDE, UNDERSCORE, compareDigits, compareStrings, isAlnum, isDigit } from './chars';
import { type Comparison, Rejected, defineScheme } from './scheme';

/*
 * Alpine package versions, `number{.number}...{letter}{_suffix{number}}...{~hash}{-r#}`, ordered
 * as apk-tools does it.
 *
 * Which apk: the CURRENT apk-tools algorithm (the tokenizer of apk-tools 3 / master `version.c`,
 * which also knows the `~hash` token), not the older 2.x one that Alpine 3.x releases ship. The
 * shared fixture (alpine-versions.txt) marks the cases where the two disagree, and every one of
 * its expectations there (`1-r-0 < 1-r0`, `1.2.0A < 1.2.0d`, `1 > 1-ruff`, `1-ruff2 = 1--ruff1`)
 * is the current apk's answer. For ordinary versions the two generations agree.
 *
 * Where the two differ is on malformed versions, and the fixture holds a handful that `apk
 * version -t` of either generation orders in ways the current tokenizer alone does not (it stops
 * at the first malformed token and calls everything after it equal). Those are ordered by a few
 * documented tolerances, applied only where the current tokenizer would give up, so they never
 * change the order of two well-formed versions:
 *  1. a version may start with a non-digit (`.1`, `a`): the initial number is then empty and
 *     sorts below every number (`.1 < 1`, `a < b`);
 *  2. an empty dotted component (`0..8`, `0.8.21.r2`) is an empty number: it compares with
 *     another number as text (like apk's leading-zero rule) and sorts below any other token, so
 *     `0..8 > 0...8` and `0.8.21.r2 < 0.8.21r2`;
 *  3. digits straight after the letter (`6.6.2p1`) are one more number, as apk 2.x read them, so
 *     `6.6.2p1 < 6.6.2p2`;
 *  4. `-r` with no digits is revision 0 when the version ends there or another `-` follows, as
 *     apk 2.x read it (`1-r = 1-r0`, `1-r-2 = 1-r0-1`); followed by anything else (`1-ruff`) it is
 *     malformed, as in current apk.
 * Past a token that is malformed even so, two versions compare equal and a malformed tail sorts
 * below any well-formed continuation, exactly as in apk.
 *
 * The scheme rejects (throws for) only strings apk could never have produced: empty, or with
 * characters other than ASCII letters, digits and `. _ ~ -`, or with no letter or digit at all.
 */

const enum Token {
  InitialDigit = 0,
  Digit = 1,
  Letter = 2,
  Suffix = 3,
  SuffixNumber = 4,
  CommitHash = 5,
  Revision = 6,
  End = 7,
  Invalid = 8,
}

/** apk's suffix ranks; "no suffix" sits between the pre-release and the post-release ones. */
const SUFFIX_NONE = 5;
const SUFFIX_RANK: ReadonlyMap<string, number> = new Map([
  ['alpha', 1],
  ['beta', 2],
  ['pre', 3],
  ['rc', 4],
  ['cvs', 6],
  ['svn', 7],
  ['git', 8],
  ['hg', 9],
  ['p', 10],
]);

interface ApkToken {
  readonly type: Token;
  /** The token's text: the digits of a number (possibly empty), the letter, the hash, the suffix word. */
  readonly text: string;
  /** For a suffix, its rank. */
  readonly suffix: number;
}

const END: ApkToken = Object.freeze({ type: Token.End, text: '', suffix: 0 });
const INVALID: ApkToken = Object.freeze({ type: Token.Invalid, text: '', suffix: 0 });

function isLower(code: number): boolean {
  return code >= LOWER_A && code <= LOWER_Z;
}

function isHex(code: number): boolean {
  return isDigit(code) || (code >= 97 && code <= 102) || (code >= 65 && code <= 70);
}

function digitsEnd(s: string, i: number): number {
  while (i < s.length && isDigit(s.charCodeAt(i))) i++;
  return i;
}

function token(type: Token, text: string, suffix = 0): ApkToken {
  return { type, text, suffix };
}

/** Splits a version into apk tokens, ending with an End or an Invalid token. */
function tokenize(s: string): ApkToken[] {
  const tokens: ApkToken[] = [];
  let i = digitsEnd(s, 0);
  tokens.push(token(Token.InitialDigit, s.slice(0, i))); // tolerance 1: may be empty
  let previous = Token.InitialDigit;

  for (;;) {
    if (i >= s.length) {
      tokens.push(END);
      return tokens;
    }
    const c = s.charCodeAt(i);
    let next: ApkToken | undefined;

    if (isLower(c)) {
      if (previous <= Token.Digit) {
        next = token(Token.Letter, s[i]!);
        i++;
      }
    } else if (c === DOT || isDigit(c)) {
      let type: Token | undefined;
      if (c === DOT) {
        if (previous <= Token.Digit) type = Token.Digit;
        i++;
      } else if (previous <= Token.Digit) {
        type = Token.Digit;
      } else if (previous === Token.Suffix) {
        type = Token.SuffixNumber;
      } else if (previous === Token.Letter) {
        type = Token.Digit; // tolerance 3
      }
      if (type !== undefined) {
        const end = digitsEnd(s, i);
        // tolerance 2: an empty dotted component is an empty number
        if (end > i || (c === DOT && type === Token.Digit)) next = token(type, s.slice(i, end));
        i = end;
      }
    } else if (c === UNDERSCORE) {
      if (previous <= Token.SuffixNumber) {
        let end = i + 1;
        while (end < s.length && isLower(s.charCodeAt(end))) end++;
        const word = s.slice(i + 1, end);
        const rank = SUFFIX_RANK.get(word);
        if (rank !== undefined) next = token(Token.Suffix, word, rank);
        i = end;
      }
    } else if (c === TILDE) {
      if (previous < Token.CommitHash) {
        let end = i + 1;
        while (end < s.length && isHex(s.charCodeAt(end))) end++;
        if (end > i + 1) next = token(Token.CommitHash, s.slice(i + 1, end));
        i = end;
      }
    } else if (c === HYPHEN) {
      if (previous < Token.Revision && s.charCodeAt(i + 1) === LOWER_R) {
        const start = i + 2;
        const end = digitsEnd(s, start);
        // tolerance 4: `-r` without digits is revision 0 at the end or before another `-`
        if (end > start || end === s.length || s.charCodeAt(end) === HYPHEN) next = token(Token.Revision, s.slice(start, end));
        i = end;
      }
    }

    if (next === undefined) {
      tokens.push(INVALID);
      return tokens;
    }
    tokens.push(next);
    previous = next.type;
  }
}

function compareTokens(a: ApkToken, b: ApkToken): Comparison {
  switch (a.type) {
    case Token.InitialDigit:
      if (a.text === '' || b.text === '') return compareStrings(a.text, b.text);
      return compareDigits(a.text, b.text);
    case Token.Digit:
      // apk: when either number has a leading zero, compare as text (as Gentoo does), so
      // 1.05 < 1.1; an empty component (tolerance 2) is text too.
      if (a.text === '' || b.text === '' || a.text.charCodeAt(0) === 48 || b.text.charCodeAt(0) === 48) {
        return compareStrings(a.text, b.text);
      }
      return compareDigits(a.text, b.text);
    case Token.SuffixNumber:
    case Token.Revision:
      return compareDigits(a.text, b.text);
    case Token.Suffix:
      return a.suffix === b.suffix ? 0 : a.suffix < b.suffix ? -1 : 1;
    default:
      // letters and commit hashes: byte order
      return compareStrings(a.text, b.text);
  }
}

function isEmptyNumber(t: ApkToken): boolean {
  return t.type === Token.Digit && t.text === '';
}

function compareApk(a: ApkToken[], b: ApkToken[]): Comparison {
  let i = 0;
  while (a[i]!.type === b[i]!.type && a[i]!.type < Token.End) {
    const result = compareTokens(a[i]!, b[i]!);
    if (result !== 0) return result;
    i++;
  }
  const ta = a[i]!;
  const tb = b[i]!;
  // Both ended, or both hit a malformed token at the same place.
  if (ta.type === tb.type) return 0;
  // tolerance 2: an empty component sorts below whatever the other version has there
  if (isEmptyNumber(ta)) return -1;
  if (isEmptyNumber(tb)) return 1;
  // The versions agree so far and one goes on: it is newer, unless what follows is a
  // pre-release suffix; otherwise the token that ranks earlier in the grammar is newer
  // (1.0.1 > 1.0a > 1.0_p1 > 1.0-r1 > 1.0 > 1.0 with garbage).
  if (ta.type === Token.Suffix && ta.suffix < SUFFIX_NONE) return -1;
  if (tb.type === Token.Suffix && tb.suffix < SUFFIX_NONE) return 1;
  return ta.type > tb.type ? -1 : 1;
}

function parseApk(version: string): ApkToken[] | Rejected {
  let alnum = false;
  for (let i = 0; i < version.length; i++) {
    const c = version.charCodeAt(i);
    if (isAlnum(c)) alnum = true;
    else if (c !== DOT && c !== UNDERSCORE && c !== TILDE && c !== HYPHEN) {
      return new Rejected(`invalid character ${JSON.stringify(version[i])}`);
    }
  }
  if (!alnum) return new Rejected('no digits or letters');
  return tokenize(version);
}

/** Alpine (apk) versions. */
export const apk = defineScheme('apk', parseApk, compareApk);
