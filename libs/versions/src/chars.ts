import type { Comparison } from './scheme';

// Character-code helpers shared by the hand-written comparators. They are ASCII-only on purpose:
// dpkg, rpm and apk classify bytes with the C locale, so `é` or `α` is never a letter there.

export const TAB = 9;
export const PLUS = 43;
export const HYPHEN = 45;
export const DOT = 46;
export const ZERO = 48;
export const NINE = 57;
export const COLON = 58;
export const UPPER_A = 65;
export const UPPER_Z = 90;
export const CARET = 94;
export const UNDERSCORE = 95;
export const LOWER_A = 97;
export const LOWER_R = 114;
export const LOWER_Z = 122;
export const TILDE = 126;

export function isDigit(code: number): boolean {
  return code >= ZERO && code <= NINE;
}

export function isAlpha(code: number): boolean {
  return (code >= LOWER_A && code <= LOWER_Z) || (code >= UPPER_A && code <= UPPER_Z);
}

export function isAlnum(code: number): boolean {
  return isDigit(code) || isAlpha(code);
}

/** Whether every character of `s` is an ASCII digit (false for the empty string). */
export function isDigits(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) if (!isDigit(s.charCodeAt(i))) return false;
  return true;
}

/**
 * Compares two runs of decimal digits, `a[aStart..aEnd)` and `b[bStart..bEnd)`, by numeric value
 * of any size: leading zeros are skipped, then the longer run is larger, then the first
 * differing digit decides. An empty run counts as zero.
 */
export function compareDigitRuns(a: string, aStart: number, aEnd: number, b: string, bStart: number, bEnd: number): Comparison {
  while (aStart < aEnd && a.charCodeAt(aStart) === ZERO) aStart++;
  while (bStart < bEnd && b.charCodeAt(bStart) === ZERO) bStart++;
  const aLength = aEnd - aStart;
  const bLength = bEnd - bStart;
  if (aLength !== bLength) return aLength < bLength ? -1 : 1;
  for (let i = 0; i < aLength; i++) {
    const diff = a.charCodeAt(aStart + i) - b.charCodeAt(bStart + i);
    if (diff !== 0) return diff < 0 ? -1 : 1;
  }
  return 0;
}

/** {@link compareDigitRuns} over whole strings of digits. */
export function compareDigits(a: string, b: string): Comparison {
  return compareDigitRuns(a, 0, a.length, b, 0, b.length);
}

/** Compares `a[aStart..aEnd)` with `b[bStart..bEnd)` code unit by code unit (C `strcmp` order). */
export function compareRuns(a: string, aStart: number, aEnd: number, b: string, bStart: number, bEnd: number): Comparison {
  const aLength = aEnd - aStart;
  const bLength = bEnd - bStart;
  const common = aLength < bLength ? aLength : bLength;
  for (let i = 0; i < common; i++) {
    const diff = a.charCodeAt(aStart + i) - b.charCodeAt(bStart + i);
    if (diff !== 0) return diff < 0 ? -1 : 1;
  }
  return aLength === bLength ? 0 : aLength < bLength ? -1 : 1;
}

/** Plain code-unit order of two strings. */
export function compareStrings(a: string, b: string): Comparison {
  return a === b ? 0 : a < b ? -1 : 1;
}

const SPACE_OR_CONTROL = /[\s\p{Cc}\p{Cf}]/u;

/** Whether `s` contains whitespace or a control or format character (never part of a version). */
export function hasSpaceOrControl(s: string): boolean {
  return SPACE_OR_CONTROL.test(s);
}
