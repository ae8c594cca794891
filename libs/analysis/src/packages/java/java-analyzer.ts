import type { AnalyzedFile, AnalyzerResult, FileAnalyzer } from '../../model';
import { TempSpool } from '../../io';
import { drain, readBounded } from '../../io';
import { type ArchiveLimits, ArchiveWalk, JAVA_ARCHIVE } from './archive-walk';
import { type OpenZip, openZipBuffer, openZipFile } from './zip';

export const DEFAULT_JAVA_LIMITS: ArchiveLimits = {
  maxDepth: 4,
  maxTotalBytes: 2 ** 31,
  // Worker memory is budgeted at 256 MB: larger archives are read from a temp file instead.
  maxInMemoryBytes: 64 << 20,
  maxArchiveBytes: 2 ** 30,
  maxEntries: 200_000,
};

/** Java archives: the Maven artifacts in them and in the archives they nest (fat jars, WARs, EARs). */
export class JavaArchiveAnalyzer implements FileAnalyzer {
  readonly name = 'java-archive';
  readonly version = 1;

  constructor(private readonly limits: ArchiveLimits = DEFAULT_JAVA_LIMITS) {}

  accepts(path: string): boolean {
    return JAVA_ARCHIVE.test(path);
  }

  async analyze(file: AnalyzedFile): Promise<AnalyzerResult> {
    const walk = new ArchiveWalk(file.path, this.limits);
    let spool: TempSpool | undefined;
    let zip: OpenZip | undefined;
    try {
      if (file.size > this.limits.maxArchiveBytes) {
        await drain(file.content);
        return { warnings: [`${file.path}: ${file.size} bytes is over the ${this.limits.maxArchiveBytes}-byte limit; not read`] };
      }
      if (file.size <= this.limits.maxInMemoryBytes) {
        const { data, truncated } = await readBounded(file.content, this.limits.maxInMemoryBytes);
        if (truncated) return { warnings: [`${file.path}: longer than its declared size; not read`] };
        zip = await openZipBuffer(data, this.limits.maxEntries);
      } else {
        spool = await TempSpool.create(this.limits.maxArchiveBytes, this.limits.spoolDir);
        let fits = true;
        for await (const chunk of file.content) {
          fits &&= await spool.write(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
        }
        if (!fits) return { warnings: [`${file.path}: longer than the ${this.limits.maxArchiveBytes}-byte limit; not read`] };
        zip = await openZipFile(spool.path, this.limits.maxEntries);
      }
      await walk.walk(zip, file.path, 0);
    } catch (err) {
      await drain(file.content).catch(() => undefined);
      walk.warnings.push(`${file.path}: not a readable archive (${err instanceof Error ? err.message : String(err)})`);
    } finally {
      zip?.close();
      await spool?.dispose();
    }
    const packages = walk.packages;
    return { ...(packages.length ? { packages } : {}), ...(walk.warnings.length ? { warnings: walk.warnings } : {}) };
  }
}
