import { resolve } from 'node:path';
import type { FeedItem, FeedKind } from '../model';
import { readAlpineSecdb } from './alpine-secdb/read-alpine-secdb';
import { readDebianOval } from './debian-oval/read-debian-oval';
import { FeedConfigError } from './errors';
import type { FeedReadOptions } from './io/limits';
import type { FeedSourceConfig } from './location';
import { readOsv } from './osv/read-osv';

export const FEED_KINDS: readonly FeedKind[] = ['osv', 'alpine-secdb', 'debian-oval'];

const NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/i;

/**
 * Parses `VULNDB_SOURCES`: comma-separated `[<name>:]<kind>=<location>` entries, where kind is
 * osv, alpine-secdb or debian-oval, and location a path (a file or a directory, resolved against
 * `cwd`) or an http(s) URL (a comma in a URL must be written %2C). Blank entries are ignored.
 *
 * Each source gets a name, which keys its data: the explicit one, else the kind, else (when the
 * kind repeats) `<kind>-2`, `<kind>-3`, … in order of appearance. So a configuration gives the
 * same names on every start; a source that must keep its name while others of its kind come and
 * go should be named explicitly (`debian-12:debian-oval=…`). Throws FeedConfigError naming the
 * bad entry.
 */
export function parseFeedSources(value: string, cwd: string = process.cwd()): FeedSourceConfig[] {
  const entries = value
    .split(',')
    .map((text, index) => ({ text: text.trim(), index }))
    .filter((entry) => entry.text !== '');
  const parsed = entries.map((entry) => parseEntry(entry.text, entry.index + 1, cwd));

  const taken = new Set<string>();
  for (const entry of parsed) {
    if (entry.name === undefined) continue;
    if (taken.has(entry.name)) throw new FeedConfigError(`${entry.where}: the name "${entry.name}" is used twice`);
    taken.add(entry.name);
  }
  return parsed.map((entry) => {
    let name = entry.name;
    if (name === undefined) {
      name = entry.kind;
      for (let n = 2; taken.has(name); n++) name = `${entry.kind}-${n}`;
      taken.add(name);
    }
    return { name, kind: entry.kind, location: entry.location };
  });
}

interface ParsedEntry {
  where: string;
  name?: string;
  kind: FeedKind;
  location: string;
}

function parseEntry(text: string, position: number, cwd: string): ParsedEntry {
  const where = `entry ${position} "${text}"`;
  const equals = text.indexOf('=');
  if (equals < 0) throw new FeedConfigError(`${where}: expected <kind>=<path or URL>`);
  const head = text.slice(0, equals).trim();
  const location = text.slice(equals + 1).trim();

  const colon = head.indexOf(':');
  const name = colon < 0 ? undefined : head.slice(0, colon).trim();
  const kind = colon < 0 ? head : head.slice(colon + 1).trim();
  if (name !== undefined && !NAME.test(name)) {
    throw new FeedConfigError(`${where}: the name "${name}" must be letters, digits, ".", "_" or "-" (at most 63)`);
  }
  if (!isFeedKind(kind)) throw new FeedConfigError(`${where}: unknown kind "${kind}" (expected ${FEED_KINDS.join(', ')})`);
  if (location === '') throw new FeedConfigError(`${where}: no path or URL after "="`);
  return { where, kind, ...(name === undefined ? {} : { name }), location: resolveConfigured(location, where, cwd) };
}

/** A URL stays as written (checked); anything without a scheme is a path. */
function resolveConfigured(location: string, where: string, cwd: string): string {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(location)?.[1];
  // One letter is a Windows drive, not a scheme.
  if (scheme === undefined || scheme.length === 1) return resolve(cwd, location);
  if (!/^https?$/i.test(scheme)) throw new FeedConfigError(`${where}: unsupported URL scheme "${scheme}:" (http and https only)`);
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    throw new FeedConfigError(`${where}: "${location}" is not a valid URL`);
  }
  if (!url.hostname) throw new FeedConfigError(`${where}: "${location}" has no host`);
  // The location is logged and stored with the feed's state; a password must not be.
  if (url.username || url.password) throw new FeedConfigError(`${where}: credentials in the URL are not supported`);
  return url.href;
}

function isFeedKind(kind: string): kind is FeedKind {
  return (FEED_KINDS as readonly string[]).includes(kind);
}

/** The advisories of one configured source, from the parser of its kind. */
export function readFeed(config: FeedSourceConfig, options: FeedReadOptions = {}): AsyncGenerator<FeedItem> {
  const withName = { ...options, sourceName: options.sourceName ?? config.name };
  switch (config.kind) {
    case 'osv':
      return readOsv(config.location, withName);
    case 'alpine-secdb':
      return readAlpineSecdb(config.location, withName);
    case 'debian-oval':
      return readDebianOval(config.location, withName);
  }
}
