/**
 * A feed source that cannot be read as a whole: a missing file, not a zip, a truncated or
 * corrupt bz2, an HTTP error, XML that is not well-formed. The importer turns it into a failed
 * import, so the data of the previous import stays. (A bad record inside a readable source is no
 * error: it is yielded as a skipped record.)
 */
export class FeedSourceError extends Error {
  override readonly name = 'FeedSourceError';

  constructor(
    /** The source as the message names it: its name and location. */
    readonly source: string,
    /** What went wrong, without the source. */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`feed source ${source}: ${reason}`, options);
  }
}

/** An invalid `VULNDB_SOURCES` value; the message names the offending entry. */
export class FeedConfigError extends Error {
  override readonly name = 'FeedConfigError';
}

/** The message of anything thrown; not by `instanceof Error`, which fails for errors of another realm (a vm context, as under jest). */
export function errorMessage(err: unknown): string {
  return typeof err === 'object' && err !== null && typeof (err as { message?: unknown }).message === 'string'
    ? (err as Error).message
    : String(err);
}
