import { EventEmitter } from 'node:events';
import { Readable } from 'node:stream';
import type { BlobStore, ByteRange, Spool } from './blob-store';

/** Opens the upstream blob: a stream that errors instead of ending when the content is not the digest's. */
export type OpenUpstream = (signal: AbortSignal) => Promise<Readable>;

export interface FlightDeps {
  readonly store: BlobStore;
  readonly open: OpenUpstream;
  /** Records the placement (and its event) once the blob is in the store. */
  readonly place: () => Promise<void>;
  readonly signal: AbortSignal;
}

const READ_CHUNK = 256 * 1024;
/** Bytes received and not yet written before the upstream body is paused. */
const MAX_QUEUED = 8 * 1024 * 1024;

/**
 * One upstream download of one blob, followed by everyone who wants the blob meanwhile. The bytes
 * go to a spool file; each reader reads that file at its own pace, waiting when it catches up with
 * the download. Until the digest is verified the last byte is held back, so a reader can never
 * finish a blob that turns out wrong: a failed download destroys its readers instead (the client's
 * connection is cut). Only verified content is put into the store.
 */
export class BlobFlight {
  /** Resolves when the upstream answered with the blob; rejects with the upstream's error otherwise. */
  readonly started: Promise<void>;
  /** Resolves once the blob is verified, stored and placed; rejects when the download failed. */
  readonly done: Promise<void>;
  private readonly changes = new EventEmitter().setMaxListeners(0);
  private written = 0;
  private verified = false;
  private stored = false;
  private failure?: Error;
  private spool?: Spool;
  private writing = true;
  private readers = 0;
  private resolveStarted!: () => void;
  private rejectStarted!: (error: Error) => void;

  constructor(
    readonly digest: string,
    readonly size: number,
    private readonly deps: FlightDeps,
  ) {
    this.started = new Promise<void>((resolve, reject) => {
      this.resolveStarted = resolve;
      this.rejectStarted = reject;
    });
    this.done = this.run();
    // Callers may only look at one of the two; neither may become an unhandled rejection.
    this.started.catch(() => undefined);
    this.done.catch(() => undefined);
  }

  /** The blob (or an inclusive range of it) as it downloads; call after `started` resolved. */
  reader(range: ByteRange = { start: 0, end: this.size - 1 }): Readable {
    if (!this.spool) {
      // The download is over and its spool closed: the blob is in the store, or it never will be.
      if (this.stored) return this.deps.store.read(this.digest, range);
      const failed = new Readable({ read() {} });
      failed.destroy(this.failure ?? new Error(`the download of ${this.digest} did not finish`));
      return failed;
    }
    this.readers += 1;
    return new FlightReader(this, range.start, range.end);
  }

  /** Bytes readers may have: everything once verified, one byte short of what arrived before. */
  readableUpTo(): number {
    return this.verified ? this.size : Math.max(0, Math.min(this.written, this.size - 1));
  }

  get isVerified(): boolean {
    return this.verified;
  }

  get error(): Error | undefined {
    return this.failure;
  }

  nextChange(): Promise<void> {
    return new Promise((resolve) => this.changes.once('change', () => resolve()));
  }

  async readAt(buffer: Buffer, length: number, position: number): Promise<number> {
    const { bytesRead } = await this.spool!.handle.read(buffer, 0, length, position);
    return bytesRead;
  }

  release(): void {
    this.readers -= 1;
    this.closeWhenIdle();
  }

  private async run(): Promise<void> {
    try {
      this.spool = await this.deps.store.openSpool();
      const body = await this.deps.open(this.deps.signal);
      this.resolveStarted();
      await this.copyToSpool(body, this.spool);
      this.verified = true;
      this.changes.emit('change');
      await this.deps.store.put(this.digest, this.spool);
      this.stored = true;
    } catch (error) {
      this.failure = error instanceof Error ? error : new Error(String(error));
      this.changes.emit('change');
      this.rejectStarted(this.failure); // a no-op once started: readers learn of it through `error`
      if (this.spool) await this.deps.store.discard(this.spool).catch(() => undefined);
      throw this.failure;
    } finally {
      this.writing = false;
      this.closeWhenIdle();
    }
    await this.deps.place();
  }

  /**
   * Copies the body into the spool. Chunks that arrive while a write is in flight are written
   * together with the next one (one writev instead of a write per ~64 KB chunk, which kept the
   * download waiting on the disk); past MAX_QUEUED bytes the body is paused.
   */
  private async copyToSpool(body: Readable, spool: Spool): Promise<void> {
    let queue: Buffer[] = [];
    let queued = 0;
    let ended = false;
    let failed: Error | undefined;
    let wake: (() => void) | undefined;
    const signal = () => {
      wake?.();
      wake = undefined;
    };
    body.on('data', (chunk: Buffer) => {
      queue.push(chunk);
      queued += chunk.length;
      if (queued >= MAX_QUEUED) body.pause();
      signal();
    });
    body.once('end', () => {
      ended = true;
      signal();
    });
    body.once('error', (error) => {
      failed = error;
      signal();
    });
    body.once('close', () => {
      if (!ended) failed ??= new Error('the upstream body closed before it ended');
      signal();
    });
    for (;;) {
      if (failed) throw failed;
      if (queue.length > 0) {
        const batch = queue;
        const bytes = queued;
        queue = [];
        queued = 0;
        if (body.isPaused()) body.resume();
        const { bytesWritten } = await spool.handle.writev(batch, this.written);
        // A short write (rare on files) leaves the rest to write at its own position.
        if (bytesWritten < bytes)
          await spool.handle.write(Buffer.concat(batch).subarray(bytesWritten), 0, bytes - bytesWritten, this.written + bytesWritten);
        this.written += bytes;
        this.changes.emit('change');
        continue;
      }
      if (ended) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  }

  private closeWhenIdle(): void {
    if (!this.writing && this.readers === 0 && this.spool) {
      const { handle } = this.spool;
      this.spool = undefined;
      void handle.close().catch(() => undefined);
    }
  }
}

/** Reads a flight's spool from `position` to `end` (inclusive), waiting for bytes still downloading. */
class FlightReader extends Readable {
  private pumping = false;
  private released = false;

  constructor(
    private readonly flight: BlobFlight,
    private position: number,
    private readonly end: number,
  ) {
    super({ highWaterMark: READ_CHUNK });
  }

  override _read(): void {
    if (!this.pumping) void this.pump();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.releaseOnce();
    callback(error);
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      for (;;) {
        if (this.destroyed) return;
        // The end of a range that includes the last byte waits for verification like that byte does.
        if (this.position > this.end && (this.flight.isVerified || this.end < this.flight.size - 1)) {
          this.push(null);
          this.releaseOnce();
          return;
        }
        const available = Math.min(this.flight.readableUpTo(), this.end + 1);
        if (this.position < available) {
          const buffer = Buffer.allocUnsafe(Math.min(READ_CHUNK, available - this.position));
          const read = await this.flight.readAt(buffer, buffer.length, this.position);
          if (this.destroyed) return;
          this.position += read;
          if (!this.push(buffer.subarray(0, read))) return;
          continue;
        }
        const failure = this.flight.error;
        if (failure) {
          this.destroy(failure);
          return;
        }
        await this.flight.nextChange();
      }
    } catch (error) {
      this.destroy(error as Error);
    } finally {
      this.pumping = false;
    }
  }

  private releaseOnce(): void {
    if (this.released) return;
    this.released = true;
    this.flight.release();
  }
}
