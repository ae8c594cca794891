import { basename } from 'node:path';
import type { FeedItem } from '../../model';
import { FeedSourceError } from '../errors';
import { pathKind, readWholeFile, relativeLocation, walkFiles } from '../io/files';
import { downloadBuffer } from '../io/http';
import { resolveReadOptions, type FeedReadOptions, type ResolvedReadOptions } from '../io/limits';
import { resolveLocation, sourceLabel, type ResolvedLocation } from '../location';
import { counted, parseJson } from '../util';
import { secdbAdvisories, secdbDocumentProblem, type SecdbDocument } from './map-secdb';

/**
 * Alpine secdb advisories from one document (a file or a URL) or a directory of them (every
 * `*.json` below it, e.g. `v3.10/main.json`). Each document is read whole, within
 * `maxDocumentBytes`: Alpine's are a few hundred KB at most, and a document only makes sense
 * whole (a package's fixes are merged per vulnerability). A document that is not JSON, or not a
 * secdb document, fails the source; a bad package entry in it is skipped.
 */
export async function* readAlpineSecdb(location: string, options: FeedReadOptions = {}): AsyncGenerator<FeedItem> {
  const resolved = resolveReadOptions(options);
  const label = sourceLabel(location, options.sourceName);
  yield* counted(documents(resolveLocation(location), resolved, label), resolved.stats);
}

async function* documents(location: ResolvedLocation, options: ResolvedReadOptions, label: string): AsyncGenerator<FeedItem> {
  // Two documents for one release and repository would give their advisories the same keys.
  const seen = new Map<string, string>();
  const fromDocument = (data: Buffer, where: string): FeedItem[] => {
    const parsed = parseJson(data);
    if (!parsed.ok) throw new FeedSourceError(label, `${where} is not JSON: ${parsed.error}`);
    const problem = secdbDocumentProblem(parsed.value);
    if (problem) throw new FeedSourceError(label, `${where} is not an Alpine secdb document: ${problem}`);
    const doc = parsed.value as SecdbDocument;
    const release = `${doc.distroversion}/${doc.reponame}`;
    const earlier = seen.get(release);
    if (earlier) throw new FeedSourceError(label, `${where} and ${earlier} are both ${release}`);
    seen.set(release, where);
    const result = secdbAdvisories(doc, where);
    options.stats.notAffected += result.notAffected;
    return result.items;
  };

  if (location.type === 'url') {
    const { data } = await downloadBuffer(location.url, options.maxDocumentBytes, options, label);
    yield* fromDocument(data, location.url);
    return;
  }
  const root = location.path;
  const files = (await pathKind(root, label)) === 'file' ? [root] : walkFiles(root, (name) => name.endsWith('.json'), label);
  for await (const file of files) {
    const where = file === root ? basename(file) : relativeLocation(root, file);
    const read = await readWholeFile(file, options.maxDocumentBytes, label);
    if (!read.ok) throw new FeedSourceError(label, `${where} has ${read.size} bytes, over the ${options.maxDocumentBytes}-byte limit`);
    yield* fromDocument(read.data, where);
  }
}
