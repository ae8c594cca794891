import type { AnalyzedFile, AnalyzerResult, FileAnalyzer } from '../../model';
import { MAX_PACKAGE_DB_BYTES, analyzeWholeFile, withWarnings } from '../../io';
import { parseRpmDb } from './rpmdb';

/**
 * rpm's database, in whichever format the image's rpm wrote. Fedora 36+ and openSUSE keep it in
 * /usr/lib/sysimage/rpm with /var/lib/rpm a symlink to it, so both places are looked at.
 */
const RPMDB = /^(?:var\/lib\/rpm|usr\/lib\/sysimage\/rpm)\/(?:rpmdb\.sqlite|Packages|Packages\.db)$/;

export interface RpmAnalyzerOptions {
  /**
   * Largest database read. It is held whole in memory, and an SQLite one a second time inside
   * SQLite's WebAssembly heap while it is read.
   */
  maxBytes?: number;
}

export function createRpmAnalyzer(options: RpmAnalyzerOptions = {}): FileAnalyzer {
  const maxBytes = options.maxBytes ?? MAX_PACKAGE_DB_BYTES;
  return {
    name: 'rpm',
    version: 1,
    accepts(path: string): boolean {
      return RPMDB.test(path);
    },
    async analyze(file: AnalyzedFile): Promise<AnalyzerResult> {
      return analyzeWholeFile(file, maxBytes, async (data) => {
        const { packages, warnings } = await parseRpmDb(data, file.path);
        return withWarnings({ packages }, warnings);
      });
    },
  };
}

export const rpmAnalyzer: FileAnalyzer = createRpmAnalyzer();
