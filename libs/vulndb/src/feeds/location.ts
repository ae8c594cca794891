import { resolve } from 'node:path';
import type { FeedKind } from '../model';

/** One entry of `VULNDB_SOURCES`. */
export interface FeedSourceConfig {
  /** Unique among the configured sources and the same from one start to the next. */
  name: string;
  kind: FeedKind;
  /** An absolute path (a file or a directory), or an http(s) URL. */
  location: string;
}

/** A location as the readers use it: a local path (resolved against the cwd), or a URL. */
export type ResolvedLocation = { type: 'path'; path: string } | { type: 'url'; url: string };

export function isHttpUrl(location: string): boolean {
  return /^https?:\/\//i.test(location);
}

export function resolveLocation(location: string): ResolvedLocation {
  return isHttpUrl(location) ? { type: 'url', url: location } : { type: 'path', path: resolve(location) };
}

/** How error messages name a source: `osv (/srv/feeds/osv)`, or the location alone. */
export function sourceLabel(location: string, name?: string): string {
  return name ? `${name} (${location})` : location;
}
