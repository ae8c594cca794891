import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type Comparison, InvalidVersionError, type VersionScheme } from '../scheme';

// Test support for the comparator specs (not exported from the lib): reads the shared
// `versions/*-versions.txt` fixtures and turns each comparison line into a jest test.

export type Relation = '<' | '=' | '>';

export interface ComparisonCase {
  /** The line as written in the fixture (trimmed). */
  readonly line: string;
  readonly lineNumber: number;
  readonly a: string;
  readonly relation: Relation;
  readonly b: string;
}

export function relationOf(result: Comparison): Relation {
  return result < 0 ? '<' : result > 0 ? '>' : '=';
}

export function inverse(relation: Relation): Relation {
  return relation === '<' ? '>' : relation === '>' ? '<' : '=';
}

/**
 * The comparisons of a fixture file: one per line `a < b`, `a = b` or `a > b`. Blank lines and
 * comments are skipped; a comment starts with `#`, or with `//` as the pypi and maven fixtures
 * write some of theirs (`// 1.0.0+local <=1.0.0 True` is prose, not a comparison).
 */
export function readComparisonCases(file: string): ComparisonCase[] {
  const cases: ComparisonCase[] = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((raw, index) => {
      const line = raw.trim();
      if (line === '' || line.startsWith('#') || line.startsWith('//')) return;
      const fields = line.split(/\s+/);
      const relation = fields[1];
      if (fields.length !== 3 || (relation !== '<' && relation !== '=' && relation !== '>')) {
        throw new Error(`${file}:${index + 1}: expected "a < b", "a = b" or "a > b", got ${JSON.stringify(line)}`);
      }
      cases.push({ line, lineNumber: index + 1, a: fields[0]!, relation, b: fields[2]! });
    });
  return cases;
}

/** One test per fixture line: the stated relation holds, and the reverse comparison is its inverse. */
export function describeComparisonFixture(scheme: VersionScheme, file: string): void {
  const cases = readComparisonCases(file);
  describe(`${path.basename(file)} with ${scheme.name}`, () => {
    it('has comparisons', () => {
      expect(cases.length).toBeGreaterThan(0);
    });
    for (const c of cases) {
      it(`${c.line}  (line ${c.lineNumber})`, () => {
        expect(relationOf(scheme.compare(c.a, c.b))).toBe(c.relation);
        expect(relationOf(scheme.compare(c.b, c.a))).toBe(inverse(c.relation));
      });
    }
  });
}

/** Table-driven cases in the same `a < b` notation, one test each (with the reverse checked too). */
export function itOrders(scheme: VersionScheme, lines: readonly string[]): void {
  for (const line of lines) {
    const fields = line.trim().split(/\s+/);
    const [a, relation, b] = fields as [string, Relation, string];
    it(line, () => {
      expect(fields).toHaveLength(3);
      expect(relationOf(scheme.compare(a, b))).toBe(relation);
      expect(relationOf(scheme.compare(b, a))).toBe(inverse(relation));
    });
  }
}

/**
 * One test per input: the scheme rejects it on either side of a comparison (against `valid`, a
 * version it accepts), and the error names the input and the scheme.
 */
export function itRejects(scheme: VersionScheme, valid: string, inputs: readonly string[]): void {
  for (const input of inputs) {
    it(`rejects ${JSON.stringify(input)}`, () => {
      expect(scheme.isValid(valid)).toBe(true);
      expect(scheme.isValid(input)).toBe(false);
      for (const attempt of [() => scheme.compare(valid, input), () => scheme.compare(input, valid)]) {
        const error = captureError(attempt);
        expect(error).toBeInstanceOf(InvalidVersionError);
        const invalid = error as InvalidVersionError;
        expect(invalid.version).toBe(input);
        expect(invalid.scheme).toBe(scheme.name);
        expect(invalid.message).toContain(JSON.stringify(input));
        expect(invalid.message).toContain(scheme.name);
      }
    });
  }
}

function captureError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return undefined;
}
