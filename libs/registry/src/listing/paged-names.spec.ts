import { ScanError, ScanErrorCode } from '@vulnscan/contracts';
import { ListingPage, PagedListing, collectNames } from './paged-names';

const ORIGIN = 'http://registry.test';

/**
 * A catalog served from memory the way docker-registry pages it: `n` entries after `last`, and a
 * relative next link while more remain. Every path asked for is recorded.
 */
function memoryListing(entries: string[], defaultPageSize = 3): PagedListing & { asked: string[] } {
  const sorted = [...entries].sort();
  const asked: string[] = [];
  return {
    firstPath: '/v2/_catalog',
    where: 'catalog of registry registry.test',
    asked,
    async fetch(path: string): Promise<ListingPage> {
      asked.push(path);
      const url = new URL(path, ORIGIN);
      const n = Number(url.searchParams.get('n') ?? defaultPageSize);
      const last = url.searchParams.get('last');
      const start = last === null ? 0 : sorted.findIndex((entry) => entry > last);
      const page = start < 0 ? [] : sorted.slice(start, start + n);
      const more = start >= 0 && start + n < sorted.length;
      const link = more ? `</v2/_catalog?last=${encodeURIComponent(page[page.length - 1]!)}&n=${n}>; rel="next"` : undefined;
      return { url, link, body: Buffer.from(JSON.stringify(page)) };
    },
    parse: (body) => JSON.parse(body.toString('utf8')) as string[],
  };
}

/** A listing whose pages are given literally, keyed by path. */
function scripted(pages: Record<string, { names: string[]; link?: string }>): PagedListing {
  return {
    firstPath: '/v2/_catalog',
    where: 'catalog',
    async fetch(path) {
      const page = pages[path];
      if (!page) throw new Error(`unexpected request for ${path}`);
      return { url: new URL(path, ORIGIN), link: page.link, body: Buffer.from(JSON.stringify(page.names)) };
    },
    parse: (body) => JSON.parse(body.toString('utf8')) as string[],
  };
}

const NAMES = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];

describe('collectNames', () => {
  it('follows next links to the end of the listing', async () => {
    const listing = memoryListing(NAMES);
    expect(await collectNames(listing)).toEqual({ names: NAMES, truncated: false });
    expect(listing.asked).toEqual(['/v2/_catalog', '/v2/_catalog?last=c&n=3', '/v2/_catalog?last=f&n=3']);
  });

  it('asks for pageSize entries a page with n', async () => {
    const listing = memoryListing(NAMES);
    expect(await collectNames(listing, { pageSize: 4 })).toEqual({ names: NAMES, truncated: false });
    expect(listing.asked).toEqual(['/v2/_catalog?n=4', '/v2/_catalog?last=d&n=4']);
  });

  it('stops at the limit and says truncated only when a name past it exists', async () => {
    const listing = memoryListing(NAMES);
    expect(await collectNames(listing, { limit: 4 })).toEqual({ names: ['a', 'b', 'c', 'd'], truncated: true });
    expect(listing.asked).toEqual(['/v2/_catalog', '/v2/_catalog?last=c&n=3']);
    expect(await collectNames(memoryListing(NAMES), { limit: 7 })).toEqual({ names: NAMES, truncated: false });
    // A full last page: the next page has to be read to know nothing follows.
    expect(await collectNames(memoryListing(NAMES.slice(0, 6)), { limit: 6 })).toEqual({ names: NAMES.slice(0, 6), truncated: false });
  });

  it('counts only the names the filter keeps, reading on past pages without any', async () => {
    const vowels = (names: readonly string[]) => names.filter((name) => 'aeiou'.includes(name));
    expect(await collectNames(memoryListing(NAMES), { filter: vowels })).toEqual({ names: ['a', 'e'], truncated: false });
    expect(await collectNames(memoryListing(NAMES), { filter: vowels, limit: 1 })).toEqual({ names: ['a'], truncated: true });
  });

  it('with limit 0 only tells whether anything exists', async () => {
    expect(await collectNames(memoryListing(NAMES), { limit: 0 })).toEqual({ names: [], truncated: true });
    expect(await collectNames(memoryListing([]), { limit: 0 })).toEqual({ names: [], truncated: false });
  });

  it('sorts each page and drops names a page repeats', async () => {
    const listing = scripted({
      '/v2/_catalog': { names: ['c', 'a', 'b'], link: '</v2/_catalog?last=c>; rel="next"' },
      '/v2/_catalog?last=c': { names: ['e', 'c', 'd', 'd'] },
    });
    expect(await collectNames(listing)).toEqual({ names: ['a', 'b', 'c', 'd', 'e'], truncated: false });
  });

  it('answers truncated when maxPages run out before the listing does', async () => {
    const listing = memoryListing(NAMES, 2);
    expect(await collectNames(listing, { maxPages: 2 })).toEqual({ names: ['a', 'b', 'c', 'd'], truncated: true });
    expect(listing.asked).toHaveLength(2);
  });

  it('fails when next links loop', async () => {
    const listing = scripted({
      '/v2/_catalog': { names: ['a'], link: '</v2/_catalog?last=a>; rel="next"' },
      '/v2/_catalog?last=a': { names: ['b'], link: '</v2/_catalog?last=a>; rel="next"' },
    });
    const error = await collectNames(listing).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScanError);
    expect(error).toMatchObject({
      code: ScanErrorCode.Internal,
      message: "catalog: the registry's next page /v2/_catalog?last=a was already read (its Link headers loop)",
    });
  });

  it('stops between pages once the signal is aborted', async () => {
    const controller = new AbortController();
    const listing = memoryListing(NAMES);
    const fetch = listing.fetch.bind(listing);
    listing.fetch = async (path) => {
      controller.abort(new Error('caller gave up'));
      return fetch(path);
    };
    await expect(collectNames(listing, { signal: controller.signal })).rejects.toThrow('caller gave up');
    expect(listing.asked).toHaveLength(1);
  });

  it.each([
    [{ limit: -1 }, 'limit must be an integer of at least 0, got -1'],
    [{ limit: 1.5 }, 'limit must be an integer of at least 0, got 1.5'],
    [{ pageSize: 0 }, 'pageSize must be an integer of at least 1, got 0'],
    [{ maxPages: 0 }, 'maxPages must be an integer of at least 1, got 0'],
  ])('rejects %j', async (options, message) => {
    await expect(collectNames(memoryListing(NAMES), options)).rejects.toThrow(new RangeError(message));
  });
});
