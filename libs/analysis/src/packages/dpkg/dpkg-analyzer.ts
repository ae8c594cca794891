import type { AnalyzedFile, AnalyzerResult, FileAnalyzer } from '../../model';
import { MAX_PACKAGE_DB_BYTES, analyzeWholeFile, withWarnings } from '../../io';
import { parseDpkgStatus } from './dpkg-status';

const STATUS = 'var/lib/dpkg/status';
/** Distroless: one file per package; `<name>.md5sums` beside each holds file digests, not stanzas. */
const STATUS_D_ENTRY = /^var\/lib\/dpkg\/status\.d\/[^/]+$/;

export interface DpkgAnalyzerOptions {
  maxBytes?: number;
}

export function createDpkgAnalyzer(options: DpkgAnalyzerOptions = {}): FileAnalyzer {
  const maxBytes = options.maxBytes ?? MAX_PACKAGE_DB_BYTES;
  return {
    name: 'dpkg',
    version: 1,
    accepts(path: string): boolean {
      return path === STATUS || (STATUS_D_ENTRY.test(path) && !path.endsWith('.md5sums'));
    },
    async analyze(file: AnalyzedFile): Promise<AnalyzerResult> {
      return analyzeWholeFile(file, maxBytes, (data) => {
        const { packages, warnings } = parseDpkgStatus(data.toString('utf8'), file.path, { statusOptional: file.path !== STATUS });
        return withWarnings({ packages }, warnings);
      });
    },
  };
}

export const dpkgAnalyzer: FileAnalyzer = createDpkgAnalyzer();
