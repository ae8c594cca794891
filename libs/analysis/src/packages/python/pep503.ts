/**
 * The name PyPI (and vulnerability feeds keyed by it) use for matching: PEP 503 treats runs of
 * `-`, `_` and `.` as one `-`, case-insensitively, so `Zope.Interface` and `zope-interface` are
 * one project. Packages keep the name their metadata gives; this is for comparisons only.
 */
export function normalizePythonName(name: string): string {
  return name.replace(/[-_.]+/g, '-').toLowerCase();
}
