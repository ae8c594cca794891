import type { AnalyzedFile, AnalyzerResult, FileAnalyzer } from '../../model';
import { MAX_PACKAGE_DB_BYTES, TempSpool, drain, errorMessage, withWarnings } from '../../io';
import { parseRpmDb } from './rpmdb';

/**
 * rpm's database, in whichever format the image's rpm wrote. Fedora 36+ and openSUSE keep it in
 * /usr/lib/sysimage/rpm with /var/lib/rpm a symlink to it, so both places are looked at.
 */
const RPMDB = /^(?:var\/lib\/rpm|usr\/lib\/sysimage\/rpm)\/(?:rpmdb\.sqlite|Packages|Packages\.db)$/;

export interface RpmAnalyzerOptions {
  /**
   * Largest database read. It is copied to a temporary file of at most this size (deleted after):
   * SQLite reads it from there page by page; Berkeley DB and ndb ones are parsed in memory.
   */
  maxBytes?: number;
  /** Where the temporary copy goes; the OS temp directory by default. */
  spoolDir?: string;
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
      if (file.size > maxBytes) {
        await drain(file.content);
        return { warnings: [`${file.path}: ${file.size} bytes, over the ${maxBytes}-byte limit; not read`] };
      }
      let spool: TempSpool | undefined;
      try {
        spool = await TempSpool.create(maxBytes, options.spoolDir);
        let fits = true;
        for await (const chunk of file.content) {
          fits &&= await spool.write(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
        }
        if (!fits) return { warnings: [`${file.path}: longer than the ${maxBytes}-byte limit; not read`] };
        const { packages, warnings } = await parseRpmDb({ file: spool.path }, file.path);
        return withWarnings({ packages }, warnings);
      } catch (err) {
        await drain(file.content).catch(() => undefined);
        return { warnings: [`${file.path}: ${errorMessage(err)}`] };
      } finally {
        await spool?.dispose();
      }
    },
  };
}

export const rpmAnalyzer: FileAnalyzer = createRpmAnalyzer();
