import { compareDigits, compareStrings, hasSpaceOrControl, isDigit } from './chars';
import { type Comparison, Rejected, defineScheme } from './scheme';

/**
 * Maven versions, ordered as Maven's `ComparableVersion` and the POM reference's "version order
 * specification" describe:
 *  - the version is split into items at `.` and `-` and at every transition between digits and
 *    non-digits (a transition counts as a `-`); each item remembers the separator before it; an
 *    empty item is `0`; everything is case-insensitive;
 *  - qualifiers rank alpha < beta < milestone < rc = cr < snapshot < "" = final = ga = release
 *    < sp, then unknown qualifiers in lexical order; `a`, `b` and `m` directly followed by a
 *    number mean alpha, beta and milestone;
 *  - trailing "null" items (0, "", final, ga, release) are trimmed, at the end and then before
 *    each remaining `-` from the end to the start, so `1 = 1.0 = 1-0 = 1.0.0-ga`;
 *  - items compare pairwise; when the prefixes differ, `.qualifier < -qualifier < -number <
 *    .number`; when one version is shorter, the other's extra item is compared with "nothing":
 *    a number is newer unless it is 0, a qualifier is older if it ranks below a release
 *    (alpha..snapshot) and newer otherwise (sp, unknown).
 * Numbers may be of any size. Maven accepts any string; only empty strings and strings with
 * whitespace or control characters are rejected here.
 */
interface MavenItem {
  /** Whether the separator before the item is `-` (or a digit/letter transition) rather than `.`. */
  readonly hyphen: boolean;
  readonly numeric: boolean;
  /** A number without leading zeros ('0' for zero), or a lower-case qualifier after aliasing. */
  readonly value: string;
}

const QUALIFIER_RANK: ReadonlyMap<string, number> = new Map([
  ['alpha', 0],
  ['beta', 1],
  ['milestone', 2],
  ['rc', 3],
  ['snapshot', 4],
  ['', 5],
  ['sp', 6],
]);
const RELEASE_RANK = 5;
const UNKNOWN_RANK = 7;

const ALIASES: ReadonlyMap<string, string> = new Map([
  ['cr', 'rc'],
  ['ga', ''],
  ['final', ''],
  ['release', ''],
]);

const SHORT_QUALIFIERS: ReadonlyMap<string, string> = new Map([
  ['a', 'alpha'],
  ['b', 'beta'],
  ['m', 'milestone'],
]);

function qualifierRank(value: string): number {
  return QUALIFIER_RANK.get(value) ?? UNKNOWN_RANK;
}

function isNullItem(item: MavenItem): boolean {
  return item.numeric ? item.value === '0' : item.value === '';
}

function numberItem(hyphen: boolean, digits: string): MavenItem {
  let start = 0;
  while (start < digits.length - 1 && digits.charCodeAt(start) === 48) start++;
  return { hyphen, numeric: true, value: digits.slice(start) };
}

function qualifierItem(hyphen: boolean, text: string, followedByNumber: boolean): MavenItem {
  let value = text;
  if (followedByNumber) value = SHORT_QUALIFIERS.get(value) ?? value;
  return { hyphen, numeric: false, value: ALIASES.get(value) ?? value };
}

function parseMaven(version: string): MavenItem[] | Rejected {
  if (hasSpaceOrControl(version)) return new Rejected('contains whitespace or control characters');
  const lower = version.toLowerCase();
  const items: MavenItem[] = [];

  let hyphen = false; // the separator before the next item
  let start = 0;
  while (start <= lower.length) {
    // One piece between separators, split further at digit/non-digit transitions.
    let end = start;
    while (end < lower.length && lower[end] !== '.' && lower[end] !== '-') end++;
    if (end === start) {
      items.push(numberItem(hyphen, '0'));
    } else {
      let runStart = start;
      while (runStart < end) {
        const numeric = isDigit(lower.charCodeAt(runStart));
        let runEnd = runStart + 1;
        while (runEnd < end && isDigit(lower.charCodeAt(runEnd)) === numeric) runEnd++;
        const text = lower.slice(runStart, runEnd);
        items.push(numeric ? numberItem(hyphen, text) : qualifierItem(hyphen, text, runEnd < end));
        hyphen = true; // a transition acts as a hyphen
        runStart = runEnd;
      }
    }
    if (end >= lower.length) break;
    hyphen = lower[end] === '-';
    start = end + 1;
  }

  // Trim null items at the end, then at the end of each hyphen-separated group, back to front.
  let i = items.length - 1;
  while (i > 0) {
    if (isNullItem(items[i]!)) {
      items.splice(i, 1);
      i--;
      continue;
    }
    while (i >= 0 && !items[i]!.hyphen) i--;
    i--;
  }
  return items;
}

/** Orders two items that are both present. */
function compareItems(a: MavenItem, b: MavenItem): Comparison {
  if (a.hyphen !== b.hyphen || a.numeric !== b.numeric) {
    if (a.hyphen === b.hyphen) return a.numeric ? 1 : -1; // same separator: a number is newer
    // .qualifier < -qualifier < -number < .number
    return prefixOrder(a) < prefixOrder(b) ? -1 : 1;
  }
  if (a.numeric) return compareDigits(a.value, b.value);
  const ra = qualifierRank(a.value);
  const rb = qualifierRank(b.value);
  if (ra !== rb) return ra < rb ? -1 : 1;
  return ra === UNKNOWN_RANK ? compareStrings(a.value, b.value) : 0;
}

function prefixOrder(item: MavenItem): number {
  if (item.numeric) return item.hyphen ? 2 : 3;
  return item.hyphen ? 1 : 0;
}

/** Orders an item against the absence of one (the other version is shorter). */
function compareWithNothing(item: MavenItem): Comparison {
  if (item.numeric) return item.value === '0' ? 0 : 1;
  const rank = qualifierRank(item.value);
  return rank === RELEASE_RANK ? 0 : rank < RELEASE_RANK ? -1 : 1;
}

function compareMaven(a: readonly MavenItem[], b: readonly MavenItem[]): Comparison {
  const length = Math.max(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a[i];
    const y = b[i];
    let result: Comparison;
    if (x === undefined) result = compareWithNothing(y!) === 1 ? -1 : compareWithNothing(y!) === -1 ? 1 : 0;
    else if (y === undefined) result = compareWithNothing(x);
    else result = compareItems(x, y);
    if (result !== 0) return result;
  }
  return 0;
}

/** Maven versions. */
export const maven = defineScheme('maven', parseMaven, compareMaven);
