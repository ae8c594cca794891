import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A bounded temporary copy of a file being streamed, for formats that need random access.
 * Always `dispose()` it: the directory is removed whatever happened.
 */
export class TempSpool {
  private written = 0;

  private constructor(
    private readonly dir: string,
    private readonly handle: FileHandle,
    private readonly maxBytes: number,
  ) {}

  static async create(maxBytes: number, parent = tmpdir()): Promise<TempSpool> {
    const dir = await mkdtemp(join(parent, 'vulnscan-spool-'));
    try {
      return new TempSpool(dir, await open(join(dir, 'data'), 'w+', 0o600), maxBytes);
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
  }

  /** The copy's file, for readers that open by path. */
  get path(): string {
    return join(this.dir, 'data');
  }

  get size(): number {
    return this.written;
  }

  /** False, writing nothing, once the file would grow over its limit. */
  async write(chunk: Buffer): Promise<boolean> {
    if (this.written + chunk.length > this.maxBytes) return false;
    let done = 0;
    while (done < chunk.length) {
      const { bytesWritten } = await this.handle.write(chunk, done, chunk.length - done, this.written + done);
      done += bytesWritten;
    }
    this.written += chunk.length;
    return true;
  }

  readonly readAt = async (offset: number, length: number): Promise<Buffer> => {
    const wanted = Math.max(0, Math.min(length, this.written - offset));
    const buf = Buffer.alloc(wanted);
    let done = 0;
    while (done < wanted) {
      const { bytesRead } = await this.handle.read(buf, done, wanted - done, offset + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return buf.subarray(0, done);
  };

  async dispose(): Promise<void> {
    await this.handle.close().catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
  }
}
