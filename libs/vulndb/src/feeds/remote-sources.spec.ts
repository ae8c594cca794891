import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fixturesDir, freePort } from '@vulnscan/testing';
import { FeedSourceError } from './errors';
import { newFeedStats } from './io/limits';
import { parseFeedSources, readFeed } from './sources';
import { collect, readError, serveFiles, tempDir, type FixtureServer, type TempDir } from './test-support/feed-test-support';

/** The feeds fixtures served over HTTP on 127.0.0.1, as a mirror would. */
describe('readFeed from http URLs', () => {
  let server: FixtureServer;
  let spoolDir: TempDir;
  const source = (value: string) => parseFeedSources(value)[0];
  const leftovers = () => readdir(spoolDir.path);

  beforeAll(async () => {
    server = await serveFiles(join(fixturesDir(), 'feeds'), await freePort());
    spoolDir = await tempDir();
  });
  afterAll(async () => {
    await server?.close();
    await spoolDir?.remove();
  });

  it('downloads an OSV zip export to a temp file, reads it, and deletes the file', async () => {
    const stats = newFeedStats();
    const go = await collect(readFeed(source(`osv=${server.url}/osv/Go/all.zip`), { stats, tempDir: spoolDir.path }));
    expect(stats).toEqual({ advisories: 4291, skipped: 0, notAffected: 0 });
    expect(go.advisories.find((a) => a.id === 'GO-2022-0969')?.aliases).toEqual(['CVE-2022-27664', 'GHSA-69cg-p879-7622']);
    expect(await leftovers()).toEqual([]);
  });

  it('streams an OSV JSON record', async () => {
    const read = await collect(readFeed(source(`osv=${server.url}/osv/samples/UBUNTU-CVE-2023-4004.json`)));
    expect(read.advisories).toEqual([
      {
        source: 'osv',
        key: 'UBUNTU-CVE-2023-4004',
        id: 'UBUNTU-CVE-2023-4004',
        aliases: [],
        modified: '2025-10-13T15:48:05.891034Z',
        published: '2023-08-14T00:00:00Z',
        cvss: [],
        references: [],
        affected: [],
      },
    ]);
  });

  it('reads an Alpine secdb document', async () => {
    const remote = await collect(readFeed(source(`alpine-secdb=${server.url}/alpine-secdb/v3.10/main.json`)));
    const local = await collect(readFeed(source(`alpine-secdb=${fixturesDir()}/feeds/alpine-secdb/v3.10/main.json`)));
    expect(remote.advisories.length).toBeGreaterThan(1000);
    expect(remote).toEqual(local);
  });

  it('downloads the Debian OVAL bz2 to a temp file, streams it, and deletes the file', async () => {
    const stats = newFeedStats();
    let openssl: unknown;
    for await (const item of readFeed(source(`debian-oval=${server.url}/debian-oval/oval-definitions-bookworm.xml.bz2`), {
      stats,
      tempDir: spoolDir.path,
    })) {
      if (item.kind === 'advisory' && item.advisory.key === 'CVE-2023-0286/openssl') openssl = item.advisory.affected;
    }
    expect(stats).toEqual({ advisories: 25932, skipped: 0, notAffected: 0 });
    expect(openssl).toEqual([
      {
        ecosystem: 'Debian:12',
        name: 'openssl',
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.0.8-1' }] }],
        versions: [],
      },
    ]);
    expect(await leftovers()).toEqual([]);
  });

  it('deletes the temp file when the reader stops early', async () => {
    let seen = 0;
    for await (const _item of readFeed(source(`debian-oval=${server.url}/debian-oval/oval-definitions-bookworm.xml.bz2`), {
      tempDir: spoolDir.path,
    })) {
      if (++seen === 3) break;
    }
    expect(seen).toBe(3);
    expect(await leftovers()).toEqual([]);
  });

  it.each([
    ['osv', '/status/500/all.zip', 'HTTP 500 Internal Server Error'],
    ['osv', '/osv/Nope/all.zip', 'HTTP 404 Not Found'],
    ['osv', '/osv/samples/nope.json', 'HTTP 404 Not Found'],
    ['alpine-secdb', '/status/503', 'HTTP 503 Service Unavailable'],
    ['debian-oval', '/debian-oval/nope.xml.bz2', 'HTTP 404 Not Found'],
  ])('fails a %s source answered %s with an error status', async (kind, path, status) => {
    const err = await readError(readFeed(source(`${kind}=${server.url}${path}`), { tempDir: spoolDir.path }));
    expect(err).toBeInstanceOf(FeedSourceError);
    expect(err.message).toBe(`feed source ${kind} (${server.url}${path}): GET ${server.url}${path}: ${status}`);
    expect(await leftovers()).toEqual([]);
  });

  it('follows redirects, and gives up on a redirect loop', async () => {
    const moved = await collect(readFeed(source(`osv=${server.url}/moved/osv/samples/UBUNTU-CVE-2023-4004.json`)));
    expect(moved.advisories.map((advisory) => advisory.id)).toEqual(['UBUNTU-CVE-2023-4004']);
    const err = await readError(readFeed(source(`osv=${server.url}/loop/all.zip`), { tempDir: spoolDir.path }));
    expect(err.message).toBe(
      `feed source osv (${server.url}/loop/all.zip): GET ${server.url}/loop/all.zip: more than 10 redirects starting at ${new URL(server.url).host}`,
    );
    expect(await leftovers()).toEqual([]);
  });

  it('fails when the server does not answer within the timeout', async () => {
    const err = await readError(readFeed(source(`osv=${server.url}/hang/all.zip`), { httpTimeoutMs: 200, tempDir: spoolDir.path }));
    expect(err).toBeInstanceOf(FeedSourceError);
    expect(err.message).toBe(`feed source osv (${server.url}/hang/all.zip): GET ${server.url}/hang/all.zip: no answer within 200 ms`);
  });

  it('fails when nothing listens, and when the download is over its limit', async () => {
    const closed = `http://127.0.0.1:${await freePort()}/all.zip`;
    const refused = await readError(readFeed(source(`osv=${closed}`)));
    expect(refused).toBeInstanceOf(FeedSourceError);
    expect(refused.message).toMatch(/ECONNREFUSED/);

    const big = await readError(
      readFeed(source(`osv=${server.url}/osv/Go/all.zip`), { maxDownloadBytes: 100_000, tempDir: spoolDir.path }),
    );
    expect(big.message).toBe(
      `feed source osv (${server.url}/osv/Go/all.zip): GET ${server.url}/osv/Go/all.zip: the body is over the 100000-byte limit`,
    );
    expect(await leftovers()).toEqual([]);
  });
});
