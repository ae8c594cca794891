import { createHash } from 'node:crypto';
import type { FileAnalyzer } from './model';
import { osAnalyzer } from './os';
import { apkAnalyzer } from './packages/apk';
import { dpkgAnalyzer } from './packages/dpkg';
import { GoBinaryAnalyzer } from './packages/golang';
import { JavaArchiveAnalyzer } from './packages/java';
import { NpmAnalyzer } from './packages/npm';
import { PythonAnalyzer } from './packages/python';
import { rpmAnalyzer } from './packages/rpm';

/** Every analyzer an image scan runs, OS first. A new instance each scan (some keep per-file state). */
export function defaultAnalyzers(): FileAnalyzer[] {
  return [
    osAnalyzer,
    dpkgAnalyzer,
    apkAnalyzer,
    rpmAnalyzer,
    new NpmAnalyzer(),
    new PythonAnalyzer(),
    new GoBinaryAnalyzer(),
    new JavaArchiveAnalyzer(),
  ];
}

/**
 * The analyzer version an SBOM is stored under: it changes whenever any analyzer's name or
 * version does, so stored SBOMs are regenerated exactly when the results could differ.
 */
export function analyzerSetVersion(analyzers: FileAnalyzer[] = defaultAnalyzers()): string {
  const identity = analyzers
    .map((analyzer) => `${analyzer.name}@${analyzer.version}`)
    .sort()
    .join(',');
  return `1+${createHash('sha256').update(identity).digest('hex').slice(0, 12)}`;
}
