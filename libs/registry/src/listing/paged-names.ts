import { ScanError, ScanErrorCode } from '@vulnscan/contracts';
import { nextPagePath } from './link-header';

export interface ListOptions {
  /** Most names to return; the answer says when there were more. Default: no limit but `maxPages`. */
  readonly limit?: number;
  /**
   * Keeps the names that count (e.g. tags matching a pattern); called once per page with the
   * page's names, so a caller can bound the time one call may take.
   */
  readonly filter?: (names: readonly string[]) => readonly string[];
  /** Sent as `n` on the first request; the registry's own page size when absent. */
  readonly pageSize?: number;
  /** Pages to read at most before answering truncated (default {@link DEFAULT_MAX_PAGES}). */
  readonly maxPages?: number;
  readonly signal?: AbortSignal;
}

export interface NameList {
  /** Unique, each page's names in lexical order (the spec's order; docker-registry 2.8 does not sort tags). */
  readonly names: string[];
  /** The listing goes on past `names`: more names matched than `limit`, or `maxPages` ran out first. */
  readonly truncated: boolean;
}

/** One page as the registry answered it. */
export interface ListingPage {
  /** Where the page came from: a relative next link is resolved against it. */
  readonly url: URL;
  readonly link: string | readonly string[] | undefined;
  readonly body: Buffer;
}

/**
 * With the page sizes registries use (100 to 1000), up to a million names; a bound, because a
 * registry decides how many pages there are and could otherwise keep a caller paging forever.
 */
export const DEFAULT_MAX_PAGES = 1000;

export interface PagedListing {
  /** e.g. `/v2/_catalog`, without query. */
  readonly firstPath: string;
  /** For messages: `tag list of repository … on registry …`. */
  readonly where: string;
  fetch(path: string): Promise<ListingPage>;
  parse(body: Buffer): string[];
}

/** Reads pages (following `Link: <…>; rel="next"`) until `limit` + 1 names are kept or the listing ends. */
export async function collectNames(listing: PagedListing, options: ListOptions = {}): Promise<NameList> {
  if (options.limit !== undefined) checkCount('limit', options.limit, 0);
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const maxPages = options.maxPages ?? DEFAULT_MAX_PAGES;
  checkCount('maxPages', maxPages, 1);
  if (options.pageSize !== undefined) checkCount('pageSize', options.pageSize, 1);

  const names: string[] = [];
  const kept = new Set<string>();
  const visited = new Set<string>();
  let path: string | undefined = options.pageSize ? `${listing.firstPath}?n=${options.pageSize}` : listing.firstPath;
  while (path !== undefined) {
    if (visited.size === maxPages) return { names, truncated: true };
    options.signal?.throwIfAborted();
    visited.add(path);
    const page = await listing.fetch(path);
    const entries = [...new Set(listing.parse(page.body))].sort();
    for (const name of options.filter ? options.filter(entries) : entries) {
      if (kept.has(name)) continue;
      // One name past the limit proves the truncation; stopping at the limit could not tell.
      if (names.length === limit) return { names, truncated: true };
      kept.add(name);
      names.push(name);
    }
    path = nextPagePath(page.link, page.url, listing.where);
    if (path !== undefined && visited.has(path)) {
      throw new ScanError(
        ScanErrorCode.Internal,
        `${listing.where}: the registry's next page ${path} was already read (its Link headers loop)`,
      );
    }
  }
  return { names, truncated: false };
}

function checkCount(name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`${name} must be an integer of at least ${min}, got ${value}`);
  }
}
