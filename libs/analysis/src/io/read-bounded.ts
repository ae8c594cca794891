import type { AnalyzerResult } from '../model';

/** Package databases are read whole; anything larger than this is not a real one. */
export const MAX_PACKAGE_DB_BYTES = 256 * 1024 * 1024;

export interface BoundedRead {
  /** At most `limit` bytes: the whole content, or its beginning when `truncated`. */
  data: Buffer;
  truncated: boolean;
  /** Bytes the stream carried in all. */
  bytesSeen: number;
}

/**
 * Reads a file's content keeping at most `limit` bytes, and always drains the rest: the image
 * walker feeds every analyzer from one tar stream, which cannot move on to the next entry until
 * this one has been consumed, so an analyzer that stopped reading early would stall the layer.
 */
export async function readBounded(content: NodeJS.ReadableStream, limit: number): Promise<BoundedRead> {
  const chunks: Buffer[] = [];
  let kept = 0;
  let bytesSeen = 0;
  for await (const chunk of content) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    bytesSeen += buf.length;
    const take = Math.min(buf.length, limit - kept);
    if (take > 0) {
      chunks.push(take === buf.length ? buf : buf.subarray(0, take));
      kept += take;
    }
  }
  return { data: Buffer.concat(chunks, kept), truncated: bytesSeen > kept, bytesSeen };
}

/** Consumes a file the analyzer has decided not to read (see `readBounded` for why). */
export async function drain(content: NodeJS.ReadableStream): Promise<void> {
  for await (const _chunk of content) {
    // discard
  }
}

/**
 * The message of anything thrown, for a warning. Duck-typed: errors raised by Node itself (zlib)
 * or by a native addon (better-sqlite3) may come from another realm, where `instanceof Error` fails.
 */
export function errorMessage(err: unknown): string {
  if (typeof err === 'object' && err !== null && 'message' in err && typeof err.message === 'string') return err.message;
  return String(err);
}

/**
 * The common shape of an analyzer that needs a whole file: read it within `maxBytes`, parse it,
 * and turn anything that goes wrong into a warning, as `FileAnalyzer.analyze` must never throw.
 */
export async function analyzeWholeFile(
  file: { path: string; content: NodeJS.ReadableStream },
  maxBytes: number,
  parse: (data: Buffer) => AnalyzerResult | Promise<AnalyzerResult>,
): Promise<AnalyzerResult> {
  try {
    const read = await readBounded(file.content, maxBytes);
    if (read.truncated) return { warnings: [`${file.path}: ${read.bytesSeen} bytes, over the ${maxBytes}-byte limit; not read`] };
    return await parse(read.data);
  } catch (err) {
    return { warnings: [`${file.path}: ${errorMessage(err)}`] };
  }
}

/** An AnalyzerResult without empty warning lists. */
export function withWarnings(result: AnalyzerResult, warnings: string[]): AnalyzerResult {
  return warnings.length ? { ...result, warnings } : result;
}
