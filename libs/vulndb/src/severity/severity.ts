import { SEVERITIES, type CvssScore, type Severity } from '../model';

/**
 * The qualitative rating of a CVSS base score. CVSS v3 and v4 share one scale, where 0.0 is
 * "None" (shown here as Negligible: the model has no None); CVSS v2 has no None and no Critical
 * (NVD's v2 ranges: Low 0.0–3.9, Medium 4.0–6.9, High 7.0–10.0).
 */
export function severityFromCvss(score: CvssScore): Severity {
  const value = score.score;
  if (!Number.isFinite(value) || value < 0 || value > 10) return 'Unknown';
  if (score.type === 'CVSS_V2') {
    if (value < 4) return 'Low';
    return value < 7 ? 'Medium' : 'High';
  }
  if (value === 0) return 'Negligible';
  if (value < 4) return 'Low';
  if (value < 7) return 'Medium';
  return value < 9 ? 'High' : 'Critical';
}

/**
 * The words feeds use for severity, lower-cased: GHSA (LOW, MODERATE, HIGH, CRITICAL), Ubuntu
 * priorities (negligible … critical, untriaged), Debian urgencies (unimportant, low, medium, high,
 * "not yet assigned"), Red Hat impacts (Low, Moderate, Important, Critical), and the model's own.
 */
const WORDS: ReadonlyMap<string, Severity> = new Map<string, Severity>([
  ['unknown', 'Unknown'],
  ['untriaged', 'Unknown'],
  ['not yet assigned', 'Unknown'],
  ['negligible', 'Negligible'],
  ['unimportant', 'Negligible'],
  ['none', 'Negligible'],
  ['low', 'Low'],
  ['medium', 'Medium'],
  ['moderate', 'Medium'],
  ['high', 'High'],
  ['important', 'High'],
  ['critical', 'Critical'],
]);

/**
 * A feed's severity word as a model severity, or undefined for a word no feed is known to use.
 * Debian marks urgencies it guessed with trailing asterisks (`low**`); the guess still counts.
 */
export function normalizeSeverity(word: string): Severity | undefined {
  const key = word.trim().replace(/\*+$/, '').replace(/\s+/g, ' ').toLowerCase();
  return WORDS.get(key);
}

/** Negative when `a` is less severe than `b`, 0 when equal, positive when more severe. */
export function compareSeverity(a: Severity, b: Severity): number {
  return SEVERITIES.indexOf(a) - SEVERITIES.indexOf(b);
}

/** The most severe of the given severities, or undefined for none. */
export function maxSeverity(severities: Iterable<Severity>): Severity | undefined {
  let max: Severity | undefined;
  for (const s of severities) if (max === undefined || compareSeverity(s, max) > 0) max = s;
  return max;
}
