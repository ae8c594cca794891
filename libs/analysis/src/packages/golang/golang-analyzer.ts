import type { AnalyzedFile, AnalyzerResult, FileAnalyzer } from '../../model';
import { BuildInfoScanner, type ScanLimits } from './buildinfo-scanner';
import { isExecutableFormat, looksLikeGoElf } from './executable';
import { goPackages, parseModinfo, stripModinfoSentinels } from './modinfo';
import { readPointerBuildInfo } from './pointer-buildinfo';
import { TempSpool } from '../../io';

export interface GoAnalyzerLimits extends ScanLimits {
  /** Larger files are not scanned (a warning says so); scanning holds no more than a chunk. */
  maxBinaryBytes: number;
  /** A Go ELF binary is copied to a temp file up to this size, for pre-1.18 build info. */
  maxSpoolBytes: number;
  /** Where that copy goes; the OS temp directory by default. */
  spoolDir?: string;
}

export const DEFAULT_GO_LIMITS: GoAnalyzerLimits = {
  maxVersionBytes: 1024,
  maxModinfoBytes: 4 << 20,
  maxPointerCandidates: 8,
  maxBinaryBytes: 2 ** 31,
  maxSpoolBytes: 512 << 20,
};

/** Enough of the start of a file to hold the ELF headers and Go's build ID note. */
const HEAD_BYTES = 64 * 1024;

/** Binaries that lose their executable bit in images: Windows executables and shared objects. */
const BINARY_NAME = /\.(?:exe|dll|so(?:\.\d+)*|dylib)$/i;

/** Go binaries: the modules and the standard library compiled into them, from their build info. */
export class GoBinaryAnalyzer implements FileAnalyzer {
  readonly name = 'golang-binary';
  readonly version = 1;

  constructor(private readonly limits: GoAnalyzerLimits = DEFAULT_GO_LIMITS) {}

  accepts(path: string, _size: number, mode: number): boolean {
    return (mode & 0o111) !== 0 || BINARY_NAME.test(path);
  }

  async analyze(file: AnalyzedFile): Promise<AnalyzerResult> {
    const scan = new BinaryScan(file, this.limits);
    try {
      return await scan.run();
    } catch (err) {
      await scan.drain().catch(() => undefined);
      return { warnings: [`${file.path}: ${err instanceof Error ? err.message : String(err)}`] };
    } finally {
      await scan.dispose();
    }
  }
}

/** One file's pass: stream it once, scanning for build info and copying it only if it may need to. */
class BinaryScan {
  private readonly scanner: BuildInfoScanner;
  private spool?: TempSpool;
  private spoolLost?: string;
  private readonly iterator: AsyncIterator<string | Buffer>;

  constructor(
    private readonly file: AnalyzedFile,
    private readonly limits: GoAnalyzerLimits,
  ) {
    this.scanner = new BuildInfoScanner(limits);
    this.iterator = file.content[Symbol.asyncIterator]();
  }

  async run(): Promise<AnalyzerResult> {
    const { path, size } = this.file;
    if (size > this.limits.maxBinaryBytes) {
      await this.drain();
      return { warnings: [`${path}: ${size} bytes is over the ${this.limits.maxBinaryBytes}-byte limit; not scanned for Go build info`] };
    }
    const head = await this.readHead();
    if (!isExecutableFormat(head)) {
      await this.drain();
      return {};
    }
    if (looksLikeGoElf(head)) this.spool = await TempSpool.create(this.limits.maxSpoolBytes, this.limits.spoolDir);
    await this.feed(head);
    for (let next = await this.iterator.next(); !next.done; next = await this.iterator.next()) {
      await this.feed(toBuffer(next.value));
    }
    this.scanner.end();
    return this.result();
  }

  private async readHead(): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let length = 0;
    while (length < HEAD_BYTES) {
      const next = await this.iterator.next();
      if (next.done) break;
      const chunk = toBuffer(next.value);
      chunks.push(chunk);
      length += chunk.length;
    }
    return Buffer.concat(chunks, length);
  }

  private async feed(chunk: Buffer): Promise<void> {
    this.scanner.push(chunk);
    if (!this.spool) return;
    if (this.scanner.found) {
      // Go 1.18+ build info is complete as soon as it is seen: the copy is not needed.
      await this.dropSpool();
    } else if (!(await this.spool.write(chunk))) {
      await this.dropSpool(`over the ${this.limits.maxSpoolBytes}-byte limit for a temporary copy`);
    }
  }

  private async result(): Promise<AnalyzerResult> {
    const { path } = this.file;
    const found = this.scanner.found ?? (await this.followPointers());
    if (typeof found === 'string') return { warnings: [`${path}: ${found}`] };
    if (!found) {
      // Not a Go binary (or one built before Go 1.13, which wrote no build info).
      return this.scanner.rejected.length ? { warnings: this.scanner.rejected.map((r) => `${path}: ${r}`) } : {};
    }
    const { info, warnings: modinfoWarnings } = parseModinfo(found.goVersion, stripModinfoSentinels(found.rawModinfo));
    const { packages, warnings } = goPackages(info, path);
    warnings.unshift(...modinfoWarnings.map((w) => `${path}: ${w}`));
    return { ...(packages.length ? { packages } : {}), ...(warnings.length ? { warnings } : {}) };
  }

  /** Go 1.13–1.17 build info, through the temp copy; a reason when it cannot be read. */
  private async followPointers(): Promise<{ goVersion: string; rawModinfo: string } | string | undefined> {
    const candidates = this.scanner.pointerCandidates;
    if (!candidates.length) return undefined;
    if (!this.spool) {
      return `pre-Go 1.18 build info cannot be read: ${this.spoolLost ?? 'it is read from Go ELF binaries only'}`;
    }
    const reasons: string[] = [];
    for (const candidate of candidates) {
      const read = await readPointerBuildInfo(this.spool.readAt, candidate, this.limits);
      if (typeof read !== 'string') return read;
      reasons.push(read);
    }
    return reasons.join('; ');
  }

  async drain(): Promise<void> {
    for (let next = await this.iterator.next(); !next.done; next = await this.iterator.next()) {
      // discard: the layer stream moves on only once this file has been read
    }
  }

  private async dropSpool(reason?: string): Promise<void> {
    const spool = this.spool;
    this.spool = undefined;
    this.spoolLost = reason;
    await spool?.dispose();
  }

  async dispose(): Promise<void> {
    await this.dropSpool(this.spoolLost);
  }
}

function toBuffer(chunk: string | Buffer): Buffer {
  return typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
}
