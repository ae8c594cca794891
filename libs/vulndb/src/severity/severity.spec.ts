import type { CvssScore } from '../model';
import { compareSeverity, maxSeverity, normalizeSeverity, severityFromCvss } from './severity';

const v3 = (score: number): CvssScore => ({ type: 'CVSS_V3', vector: 'CVSS:3.1/…', score });
const v4 = (score: number): CvssScore => ({ type: 'CVSS_V4', vector: 'CVSS:4.0/…', score });
const v2 = (score: number): CvssScore => ({ type: 'CVSS_V2', vector: 'AV:N/…', score });

describe('severityFromCvss', () => {
  it('uses the CVSS v3/v4 rating scale, None shown as Negligible', () => {
    const table: [number, string][] = [
      [0, 'Negligible'],
      [0.1, 'Low'],
      [3.9, 'Low'],
      [4.0, 'Medium'],
      [6.9, 'Medium'],
      [7.0, 'High'],
      [8.9, 'High'],
      [9.0, 'Critical'],
      [10, 'Critical'],
    ];
    for (const [score, severity] of table) {
      expect(severityFromCvss(v3(score))).toBe(severity);
      expect(severityFromCvss(v4(score))).toBe(severity);
    }
  });

  it('uses the CVSS v2 ranges: Low below 4, Medium below 7, High from 7 (no Critical)', () => {
    expect(severityFromCvss(v2(0))).toBe('Low');
    expect(severityFromCvss(v2(3.9))).toBe('Low');
    expect(severityFromCvss(v2(4.0))).toBe('Medium');
    expect(severityFromCvss(v2(6.9))).toBe('Medium');
    expect(severityFromCvss(v2(7.0))).toBe('High');
    expect(severityFromCvss(v2(10))).toBe('High');
  });

  it('is Unknown for a score outside 0–10', () => {
    expect(severityFromCvss(v3(-1))).toBe('Unknown');
    expect(severityFromCvss(v3(10.1))).toBe('Unknown');
    expect(severityFromCvss(v3(Number.NaN))).toBe('Unknown');
  });
});

describe('normalizeSeverity', () => {
  it('maps GHSA words', () => {
    expect(['LOW', 'MODERATE', 'HIGH', 'CRITICAL'].map(normalizeSeverity)).toEqual(['Low', 'Medium', 'High', 'Critical']);
  });

  it('maps Ubuntu priorities, untriaged as Unknown', () => {
    expect(['negligible', 'low', 'medium', 'high', 'critical', 'untriaged'].map(normalizeSeverity)).toEqual([
      'Negligible',
      'Low',
      'Medium',
      'High',
      'Critical',
      'Unknown',
    ]);
  });

  it('maps Debian urgencies, guessed ones (trailing asterisks) included', () => {
    expect(['unimportant', 'low', 'medium**', 'high*', 'not yet assigned'].map(normalizeSeverity)).toEqual([
      'Negligible',
      'Low',
      'Medium',
      'High',
      'Unknown',
    ]);
  });

  it('maps Red Hat impacts', () => {
    expect(['Low', 'Moderate', 'Important', 'Critical'].map(normalizeSeverity)).toEqual(['Low', 'Medium', 'High', 'Critical']);
  });

  it('ignores case and surrounding space, and knows no other word', () => {
    expect(normalizeSeverity('  High ')).toBe('High');
    expect(normalizeSeverity('severe')).toBeUndefined();
    expect(normalizeSeverity('')).toBeUndefined();
  });
});

describe('compareSeverity', () => {
  it('orders Unknown < Negligible < Low < Medium < High < Critical', () => {
    const shuffled = ['High', 'Unknown', 'Critical', 'Low', 'Negligible', 'Medium'] as const;
    expect([...shuffled].sort(compareSeverity)).toEqual(['Unknown', 'Negligible', 'Low', 'Medium', 'High', 'Critical']);
    expect(compareSeverity('Low', 'Low')).toBe(0);
    expect(maxSeverity(['Low', 'Critical', 'Medium'])).toBe('Critical');
    expect(maxSeverity([])).toBeUndefined();
  });
});
