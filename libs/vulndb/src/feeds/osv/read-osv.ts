import { basename } from 'node:path';
import type { FeedItem } from '../../model';
import { FeedSourceError } from '../errors';
import { pathKind, readWholeFile, relativeLocation, walkFiles } from '../io/files';
import { downloadBuffer, downloadToSpool } from '../io/http';
import { resolveReadOptions, type FeedReadOptions, type ResolvedReadOptions } from '../io/limits';
import { zipMembers } from '../io/zip';
import { resolveLocation, sourceLabel } from '../location';
import { counted, parseJson, skippedItem } from '../util';
import { osvRecordItem, parseOsvDocument } from './map-osv';

/**
 * OSV records from a directory (every `*.json` record and every zip export below it, such as
 * osv.dev's `<Ecosystem>/all.zip`), a single record file, a zip export, or a URL to a record or
 * to a zip export. In a directory or a zip each JSON document is one record, and a bad one is
 * skipped; a source that is itself one document fails when it is not JSON at all.
 */
export async function* readOsv(location: string, options: FeedReadOptions = {}): AsyncGenerator<FeedItem> {
  const resolved = resolveReadOptions(options);
  const label = sourceLabel(location, options.sourceName);
  const where = resolveLocation(location);
  yield* counted(where.type === 'url' ? fromUrl(where.url, resolved, label) : fromPath(where.path, resolved, label), resolved.stats);
}

async function* fromPath(path: string, options: ResolvedReadOptions, label: string): AsyncGenerator<FeedItem> {
  if ((await pathKind(path, label)) === 'file') {
    if (isZipName(path)) {
      yield* fromZip(path, basename(path), options, label);
    } else {
      const data = await readDocument(path, options, label);
      if (!data) throw new FeedSourceError(label, `over the ${options.maxDocumentBytes}-byte limit for one record`);
      yield singleDocument(data, basename(path), label);
    }
    return;
  }
  for await (const file of walkFiles(path, (name) => name.endsWith('.json') || isZipName(name), label)) {
    const location = relativeLocation(path, file);
    if (isZipName(file)) {
      yield* fromZip(file, location, options, label);
    } else {
      const data = await readDocument(file, options, label);
      yield data ? parseOsvDocument(data, location) : tooLarge(location, options);
    }
  }
}

async function* fromUrl(url: string, options: ResolvedReadOptions, label: string): AsyncGenerator<FeedItem> {
  const name = decodeURIComponent(new URL(url).pathname.split('/').pop() || url);
  if (isZipName(name)) {
    const spool = await downloadToSpool(url, options, label);
    try {
      yield* fromZip(spool.path, name, options, label);
    } finally {
      await spool.dispose();
    }
    return;
  }
  const { data } = await downloadBuffer(url, options.maxDocumentBytes, options, label);
  yield singleDocument(data, name, label);
}

/** Members are read one at a time, and only JSON ones: osv.dev's exports hold nothing else. */
async function* fromZip(path: string, location: string, options: ResolvedReadOptions, label: string): AsyncGenerator<FeedItem> {
  for await (const member of zipMembers(path, label)) {
    if (!member.name.endsWith('.json')) continue;
    const memberLocation = `${location}!${member.name}`;
    if (member.encrypted) yield skippedItem(memberLocation, 'encrypted zip member');
    else if (member.uncompressedSize > options.maxDocumentBytes) yield tooLarge(memberLocation, options);
    else yield parseOsvDocument(await member.read(), memberLocation);
  }
}

/** A source that is one record: JSON that does not parse means the source is not what it claims. */
function singleDocument(data: Buffer, location: string, label: string): FeedItem {
  const parsed = parseJson(data);
  if (!parsed.ok) throw new FeedSourceError(label, `not a JSON document: ${parsed.error}`);
  return osvRecordItem(parsed.value, location);
}

async function readDocument(path: string, options: ResolvedReadOptions, label: string): Promise<Buffer | undefined> {
  const file = await readWholeFile(path, options.maxDocumentBytes, label);
  return file.ok ? file.data : undefined;
}

function tooLarge(location: string, options: ResolvedReadOptions): FeedItem {
  return skippedItem(location, `over the ${options.maxDocumentBytes}-byte limit for one record`);
}

function isZipName(name: string): boolean {
  return name.toLowerCase().endsWith('.zip');
}
