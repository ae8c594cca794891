/** Bounds on what reading one feed may cost; feeds come from the network and are not trusted. */
export interface FeedReadOptions {
  /** The source's name, for error messages (`readFeed` passes the configured one). */
  sourceName?: string;
  /** Longest wait for an HTTP response, and then for each next piece of its body, in ms. */
  httpTimeoutMs?: number;
  /** Largest download (a zip or bz2 spooled to a temp file, or a JSON body), in bytes. */
  maxDownloadBytes?: number;
  /** Largest single document read whole: one OSV record, one secdb file, in bytes. */
  maxDocumentBytes?: number;
  /** Where downloads are spooled; the OS temp directory by default. */
  tempDir?: string;
  /** Aborts a download in progress (a reader that is no longer wanted is stopped by leaving its loop). */
  signal?: AbortSignal;
  /** Filled in as the read goes, for the importer's summary. */
  stats?: FeedStats;
}

/** Counts of one read. Advisories and skipped records are what was yielded. */
export interface FeedStats {
  advisories: number;
  skipped: number;
  /**
   * Entries the feed lists as not affecting the package (an Alpine secfix at version `0`): no
   * advisory, and not an error either.
   */
  notAffected: number;
}

export function newFeedStats(): FeedStats {
  return { advisories: 0, skipped: 0, notAffected: 0 };
}

const MiB = 1024 * 1024;

export interface ResolvedReadOptions {
  httpTimeoutMs: number;
  maxDownloadBytes: number;
  maxDocumentBytes: number;
  tempDir?: string;
  signal?: AbortSignal;
  stats: FeedStats;
}

export const DEFAULT_READ_OPTIONS = Object.freeze({
  httpTimeoutMs: 60_000,
  // osv.dev's largest per-ecosystem export is a few hundred MB.
  maxDownloadBytes: 2048 * MiB,
  // The largest OSV record and secdb file are well under 1 MB.
  maxDocumentBytes: 32 * MiB,
});

export function resolveReadOptions(options: FeedReadOptions = {}): ResolvedReadOptions {
  for (const key of ['httpTimeoutMs', 'maxDownloadBytes', 'maxDocumentBytes'] as const) {
    const value = options[key];
    if (value !== undefined && (!Number.isFinite(value) || value <= 0))
      throw new RangeError(`${key} must be a positive number, got ${value}`);
  }
  return {
    httpTimeoutMs: options.httpTimeoutMs ?? DEFAULT_READ_OPTIONS.httpTimeoutMs,
    maxDownloadBytes: options.maxDownloadBytes ?? DEFAULT_READ_OPTIONS.maxDownloadBytes,
    maxDocumentBytes: options.maxDocumentBytes ?? DEFAULT_READ_OPTIONS.maxDocumentBytes,
    tempDir: options.tempDir,
    signal: options.signal,
    stats: options.stats ?? newFeedStats(),
  };
}
