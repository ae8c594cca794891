import type { AnalyzedFile, AnalyzerResult, FileAnalyzer } from '../../model';
import { MAX_PACKAGE_DB_BYTES, analyzeWholeFile, withWarnings } from '../../io';
import { parseApkInstalled } from './apk-installed';

const INSTALLED = 'lib/apk/db/installed';

export interface ApkAnalyzerOptions {
  maxBytes?: number;
}

export function createApkAnalyzer(options: ApkAnalyzerOptions = {}): FileAnalyzer {
  const maxBytes = options.maxBytes ?? MAX_PACKAGE_DB_BYTES;
  return {
    name: 'apk',
    version: 1,
    accepts(path: string): boolean {
      return path === INSTALLED;
    },
    async analyze(file: AnalyzedFile): Promise<AnalyzerResult> {
      return analyzeWholeFile(file, maxBytes, (data) => {
        const { packages, warnings } = parseApkInstalled(data.toString('utf8'), file.path);
        return withWarnings({ packages }, warnings);
      });
    },
  };
}

export const apkAnalyzer: FileAnalyzer = createApkAnalyzer();
