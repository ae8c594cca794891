import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixturesDir, freePort } from '@vulnscan/testing';
import { Api } from '../support/api';
import { ServiceProcess, TestPlatform, waitFor } from '../support/platform';

interface FeedView {
  name: string;
  kind: string;
  version: string | null;
  records: number;
  skipped: number;
  last_sync_at: string | null;
  last_success_at: string | null;
  last_error: string | null;
}

interface VulnDbView {
  version: string | null;
  feeds: FeedView[];
}

/**
 * The vulnerability database end to end: a real scanner-worker imports the fixture feeds (from
 * files, and from URLs a local HTTP server serves), the gateway shows them and asks for syncs.
 */
describe('vulnerability database', () => {
  const feeds = join(fixturesDir(), 'feeds');
  let platform: TestPlatform;
  let api: Api;
  let worker: ServiceProcess;
  let server: Server;
  let baseUrl: string;
  let scratch: string;

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'vulndb-e2e-'));
    // A feed directory the test can break and repair: a copy of two Alpine secdb releases.
    for (const release of ['v3.10', 'v3.18']) {
      mkdirSync(join(scratch, 'alpine', release), { recursive: true });
      for (const repo of ['main.json', 'community.json'])
        copyFileSync(join(feeds, 'alpine-secdb', release, repo), join(scratch, 'alpine', release, repo));
    }
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    server = createServer((req, res) => {
      const file = req.url === '/osv/PyPI/all.zip' ? join(feeds, 'osv', 'PyPI', 'all.zip') : undefined;
      if (!file) {
        res.writeHead(404).end('not here');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/zip' }).end(readFileSync(file));
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));

    platform = new TestPlatform();
    await platform.start('scan-scheduler');
    api = new Api((await platform.start('gateway')).url);
  });

  afterAll(async () => {
    await platform?.stop();
    await new Promise((resolve) => server?.close(resolve));
    rmSync(scratch, { recursive: true, force: true });
  });

  const status = async () => (await api.get<VulnDbView>('/api/v1/vulndb')).body;
  const feed = async (name: string) => (await status()).feeds.find((f) => f.name === name);

  it('imports every fixture feed at first start, from files and from a URL', async () => {
    const sources = [
      `osv=${join(feeds, 'osv', 'Go', 'all.zip')}`,
      `osv=${baseUrl}/osv/PyPI/all.zip`,
      `alpine-secdb=${join(scratch, 'alpine')}`,
      `debian-oval=${join(feeds, 'debian-oval', 'oval-definitions-bookworm.xml.bz2')}`,
    ].join(',');
    worker = await platform.start('scanner-worker', { VULNDB_SOURCES: sources, VULNDB_SYNC_INTERVAL_MINUTES: '0' });
    const view = await waitFor(
      async () => {
        const current = await status();
        return current.feeds.length === 4 && current.feeds.every((f) => f.last_sync_at) ? current : undefined;
      },
      { timeoutMs: 240_000, intervalMs: 1000, what: 'the first import of every feed' },
    );
    // Exact counts from the fixtures: the OSV exports hold 4,291 and 2,661 records (one PyPI record,
    // PYSEC-2024-55, has a `modified` date of year 1 and fails the schema), the OVAL 25,932
    // definitions, the two Alpine releases 10,015 (package, vulnerability) pairs.
    expect(view.feeds.map((f) => [f.name, f.kind, f.records, f.skipped, f.last_error])).toEqual([
      ['alpine-secdb', 'alpine-secdb', 10015, 0, null],
      ['debian-oval', 'debian-oval', 25932, 0, null],
      ['osv', 'osv', 4291, 0, null],
      ['osv-2', 'osv', 2660, 1, null],
    ]);
    expect(view.version).not.toBeNull();
    const advisories = await platform.query<{ n: number }>('SELECT count(*)::int AS n FROM worker.advisories');
    expect(advisories[0]!.n).toBe(view.feeds.reduce((sum, f) => sum + f.records, 0));
  });

  it('a second sync of unchanged data creates no version and rewrites no row', async () => {
    const before = await status();
    const rows = await platform.query<{ n: number; xmins: string }>(
      `SELECT count(*)::int AS n, md5(string_agg(xmin::text, ',' ORDER BY feed, key)) AS xmins FROM worker.advisories`,
    );
    const versions = await platform.query<{ n: number }>('SELECT count(*)::int AS n FROM worker.vulndb_versions');
    const sync = await api.post<{ request_id: string }>('/api/v1/vulndb/sync', {});
    expect(sync.status).toBe(202);
    const lastSync = Math.max(...before.feeds.map((f) => Date.parse(f.last_sync_at!)));
    await waitFor(async () => (await status()).feeds.every((f) => Date.parse(f.last_sync_at!) > lastSync), {
      timeoutMs: 240_000,
      intervalMs: 1000,
      what: 'the requested sync of every feed',
    });
    const after = await status();
    expect(after.version).toBe(before.version);
    expect(after.feeds.map((f) => [f.name, f.version, f.records, f.last_error])).toEqual(
      before.feeds.map((f) => [f.name, f.version, f.records, null]),
    );
    expect(await platform.query('SELECT count(*)::int AS n FROM worker.vulndb_versions')).toEqual(versions);
    // xmin is the transaction that last wrote a row: unchanged advisories were not rewritten.
    expect(
      await platform.query(
        `SELECT count(*)::int AS n, md5(string_agg(xmin::text, ',' ORDER BY feed, key)) AS xmins FROM worker.advisories`,
      ),
    ).toEqual(rows);
  });

  it('a changed advisory makes a new version and a VulnDbUpdated naming its package; a corrupt file keeps the previous data', async () => {
    const alpine = (await status()).feeds.find((f) => f.kind === 'alpine-secdb')!;
    const file = join(scratch, 'alpine', 'v3.18', 'main.json');
    const original = readFileSync(file, 'utf8');
    const secdb = JSON.parse(original) as { packages: { pkg: { name: string; secfixes: Record<string, string[]> } }[] };
    const target = secdb.packages.find((p) => p.pkg.name === 'openssl')!;
    target.pkg.secfixes['3.1.9-r0'] = ['CVE-2099-0001'];
    writeFileSync(file, JSON.stringify(secdb));

    await api.post('/api/v1/vulndb/sync', { feeds: [alpine.name] });
    const changed = await waitFor(
      async () => {
        const f = await feed(alpine.name);
        return f && f.version !== alpine.version ? f : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 500, what: 'a new alpine-secdb version' },
    );
    expect(changed.records).toBe(alpine.records + 1);
    const events = await platform.query<{ payload: { version: string; affected: { ecosystem: string; name: string }[] } }>(
      `SELECT envelope->'payload' AS payload FROM worker.outbox WHERE type = 'vulndb.updated.v1' ORDER BY created_at DESC LIMIT 1`,
    );
    expect(events[0]!.payload).toEqual({ version: changed.version, affected: [{ ecosystem: 'Alpine:v3.18', name: 'openssl' }] });

    // Now break the file: the import fails, the previous data and version stay.
    writeFileSync(file, original.slice(0, original.length / 2));
    const rowsBefore = await platform.query<{ n: number }>(`SELECT count(*)::int AS n FROM worker.advisories WHERE feed = $1`, [
      alpine.name,
    ]);
    await api.post('/api/v1/vulndb/sync', { feeds: [alpine.name] });
    const failed = await waitFor(
      async () => {
        const f = await feed(alpine.name);
        return f?.last_error ? f : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 500, what: 'the failed import to be recorded' },
    );
    expect(failed.last_error).toContain('main.json');
    expect(failed.version).toBe(changed.version);
    expect(failed.records).toBe(changed.records);
    expect(await platform.query(`SELECT count(*)::int AS n FROM worker.advisories WHERE feed = $1`, [alpine.name])).toEqual(rowsBefore);
    expect((await fetch(`${worker.url}/health/ready`)).status).toBe(200);
    writeFileSync(file, original);

    // A source that reads as empty (its files gone) is refused too, rather than emptying the feed.
    const moved = `${scratch}-moved`;
    renameSync(join(scratch, 'alpine'), moved);
    mkdirSync(join(scratch, 'alpine'));
    const lastSync = Date.parse((await feed(alpine.name))!.last_sync_at!);
    await api.post('/api/v1/vulndb/sync', { feeds: [alpine.name] });
    const emptied = await waitFor(
      async () => {
        const f = await feed(alpine.name);
        return f && Date.parse(f.last_sync_at!) > lastSync ? f : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250, what: 'the sync of an empty source' },
    );
    expect(emptied.last_error).toMatch(/yielded no advisories.*stored advisories are kept/);
    expect(emptied.records).toBe(changed.records);
    rmSync(join(scratch, 'alpine'), { recursive: true });
    renameSync(moved, join(scratch, 'alpine'));
  });

  it('only admins may sync; bad bodies are 400', async () => {
    expect((await api.post('/api/v1/vulndb/sync', { feeds: 'osv' })).status).toBe(400);
    expect((await new Api(api.baseUrl, null).post('/api/v1/vulndb/sync', {})).status).toBe(401);
  });
});
