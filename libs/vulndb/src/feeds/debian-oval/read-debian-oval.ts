import type { FeedItem } from '../../model';
import { FeedSourceError, errorMessage } from '../errors';
import { DecompressError, detectCompression, openDecompressed } from '../io/decompress';
import { pathKind } from '../io/files';
import { downloadToSpool } from '../io/http';
import { resolveReadOptions, type FeedReadOptions } from '../io/limits';
import { resolveLocation, sourceLabel } from '../location';
import { counted } from '../util';
import { OvalDefinitionsParser, OvalFormatError } from './oval-parser';

/**
 * Debian OVAL advisories from one definitions document: a `.xml.bz2` as Debian publishes it
 * (`oval-definitions-bookworm.xml.bz2`), a plain (or gzipped) `.xml`, or a URL to one. The
 * document is streamed (decompressed and parsed as it is read) and only the definition being
 * read is held. A download is spooled to a bounded temp file first, so a broken connection fails
 * the source before anything is parsed. A definition that cannot be used is skipped; XML that is
 * not well-formed, or a truncated or corrupt archive, fails the source.
 */
export async function* readDebianOval(location: string, options: FeedReadOptions = {}): AsyncGenerator<FeedItem> {
  const resolved = resolveReadOptions(options);
  const label = sourceLabel(location, options.sourceName);
  const where = resolveLocation(location);
  if (where.type === 'path') {
    if ((await pathKind(where.path, label)) !== 'file') {
      throw new FeedSourceError(label, 'is a directory; name the OVAL definitions file (one Debian release per source)');
    }
    yield* counted(parseFile(where.path, label), resolved.stats);
    return;
  }
  const spool = await downloadToSpool(where.url, resolved, label);
  try {
    yield* counted(parseFile(spool.path, label), resolved.stats);
  } finally {
    await spool.dispose();
  }
}

async function* parseFile(path: string, label: string): AsyncGenerator<FeedItem> {
  const compression = await detectCompression(path, label);
  const content = openDecompressed(path, compression);
  content.setEncoding('utf8');
  let pending: FeedItem[] = [];
  const parser = new OvalDefinitionsParser((item) => pending.push(item));
  try {
    for await (const text of content) {
      parse(() => parser.write(text as string), label);
      // A chunk holds a few dozen definitions at most; they go out before the next is read.
      const ready = pending;
      pending = [];
      yield* ready;
    }
    parse(() => parser.end(), label);
    yield* pending;
  } catch (err) {
    if (err instanceof FeedSourceError) throw err;
    if (err instanceof DecompressError) throw new FeedSourceError(label, err.message, { cause: err });
    throw new FeedSourceError(label, `cannot read: ${errorMessage(err)}`, { cause: err });
  } finally {
    content.destroy();
  }
}

function parse(step: () => void, label: string): void {
  try {
    step();
  } catch (err) {
    if (err instanceof OvalFormatError) throw new FeedSourceError(label, err.message, { cause: err });
    throw new FeedSourceError(label, `XML not well-formed: ${errorMessage(err)}`, { cause: err });
  }
}
