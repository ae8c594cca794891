import type { FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';

/** An inclusive byte range of a blob. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/** A download in progress: a local file written and read at the same time (readers follow the writer). */
export interface Spool {
  readonly path: string;
  /** Opened for reading and writing; positional reads and writes only. */
  readonly handle: FileHandle;
}

/**
 * Content-addressed blob storage. The filesystem store is the one there is; an S3-compatible
 * store would implement the same contract: downloads spool to a local file that is followed
 * while it grows, and put() publishes a verified spool under its digest all at once, so a
 * reader never sees a partial blob.
 */
export interface BlobStore {
  /** The stored blob's size, or undefined when the store does not hold it. */
  stat(digest: string): Promise<{ size: number } | undefined>;
  /** A stored blob's bytes, or one inclusive range of them. */
  read(digest: string, range?: ByteRange): Readable;
  /** A new, empty spool file for a download. */
  openSpool(): Promise<Spool>;
  /** Publishes a complete, verified spool file as `digest` (atomically); the spool is gone afterwards. */
  put(digest: string, spool: Spool): Promise<void>;
  /** Removes a spool that will not be placed (failed or mismatching download). */
  discard(spool: Spool): Promise<void>;
  /** Removes a stored blob (eviction); readers that opened it already finish reading it. */
  remove(digest: string): Promise<void>;
}

export const BLOB_STORE = Symbol('BLOB_STORE');
