import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fixturesDir } from '@vulnscan/testing';
import { FeedSourceError } from '../errors';
import { newFeedStats } from '../io/limits';
import { collect, readError, tempDir, type Collected } from '../test-support/feed-test-support';
import { vulnerabilityIds } from './map-secdb';
import { readAlpineSecdb } from './read-alpine-secdb';

const secdbDir = () => join(fixturesDir(), 'feeds/alpine-secdb');

describe('readAlpineSecdb: the v3.10 … v3.21 snapshot', () => {
  let all: Collected;
  const stats = newFeedStats();
  beforeAll(async () => {
    all = await collect(readAlpineSecdb(secdbDir(), { stats }));
  });

  it('yields one advisory per (release, repository, package, vulnerability), with unique keys', () => {
    expect(stats).toEqual({ advisories: 67526, skipped: 0, notAffected: 480 });
    expect(all.skipped).toEqual([]);
    expect(new Set(all.advisories.map((a) => a.key)).size).toBe(67526);
  });

  it('maps openssl CVE-2019-1547 of v3.10/main field by field', () => {
    expect(all.advisories.find((a) => a.key === 'v3.10/main/openssl/CVE-2019-1547')).toEqual({
      source: 'alpine-secdb',
      key: 'v3.10/main/openssl/CVE-2019-1547',
      id: 'CVE-2019-1547',
      aliases: [],
      cvss: [],
      references: [],
      affected: [
        {
          ecosystem: 'Alpine:v3.10',
          name: 'openssl',
          ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1.1.1d-r0' }] }],
          versions: [],
        },
      ],
    });
  });

  it('merges a vulnerability listed under several fixed versions into one advisory with a range per version', () => {
    const ucode = all.advisories.find((a) => a.key === 'v3.12/community/intel-ucode/CVE-2018-12126')!;
    expect(ucode.affected[0].ranges.map((r) => r.events)).toEqual([
      [{ introduced: '0' }, { fixed: '20190514a-r0' }],
      [{ introduced: '0' }, { fixed: '20190618-r0' }],
      [{ introduced: '0' }, { fixed: '20191112-r0' }],
    ]);
  });

  it('takes the CVE as id and the other ids as aliases; a placeholder CVE leaves the other id', () => {
    expect(all.advisories.find((a) => a.key === 'v3.10/main/xen/CVE-2018-7540')?.aliases).toEqual(['XSA-252']);
    const xsa312 = all.advisories.find((a) => a.key === 'v3.11/main/xen/XSA-312')!;
    expect(xsa312.id).toBe('XSA-312');
    expect(xsa312.aliases).toEqual([]);
    expect(all.advisories.find((a) => a.key === 'v3.17/main/varnish/CVE-2022-45059')?.aliases).toEqual(['VSV00010']);
  });

  it('reads one document alone, and names it by distroversion', async () => {
    const main = await collect(readAlpineSecdb(join(secdbDir(), 'v3.10/main.json')));
    expect(main.skipped).toEqual([]);
    expect(main.advisories.every((a) => a.key.startsWith('v3.10/main/') && a.affected[0].ecosystem === 'Alpine:v3.10')).toBe(true);
    expect(main.advisories).toEqual(all.advisories.filter((a) => a.key.startsWith('v3.10/main/')));
  });
});

describe('vulnerabilityIds', () => {
  it.each([
    ['CVE-2019-1547', ['CVE-2019-1547']],
    ['CVE-2018-7540 XSA-252', ['CVE-2018-7540', 'XSA-252']],
    ['CVE-2018-14468 (FrameRelay)', ['CVE-2018-14468']],
    ['CVE-2018-10103 (SMB - partially fixed, but SMB printing disabled)', ['CVE-2018-10103']],
    ['CVE-????-????? XSA-312', ['XSA-312']],
    ['CVE N/A ZBX-11023', ['ZBX-11023']],
    ['CVE-2022-45059 VSV00010', ['CVE-2022-45059', 'VSV00010']],
    ['GHSA-6vm3-jj99-7229', ['GHSA-6vm3-jj99-7229']],
    ['N/A', []],
    ['', []],
  ])('%j → %j', (text, ids) => {
    expect(vulnerabilityIds(text)).toEqual(ids);
  });
});

describe('readAlpineSecdb: malformed input', () => {
  it('skips bad package entries and goes on; version 0 is "not affected", neither advisory nor skipped', async () => {
    const dir = await tempDir();
    try {
      await writeFile(
        join(dir.path, 'main.json'),
        JSON.stringify({
          distroversion: 'v3.99',
          reponame: 'main',
          packages: [
            {
              pkg: { name: 'good', secfixes: { '1.0-r1': ['CVE-2024-0001', 'CVE-2024-0002 GHSA-aaaa-bbbb-cccc'], '0': ['CVE-2024-0003'] } },
            },
            { pkg: { secfixes: { '1.0-r0': ['CVE-2024-0004'] } } },
            'not an object',
            { pkg: { name: 'listless', secfixes: ['CVE-2024-0005'] } },
            { pkg: { name: 'mixed', secfixes: { '2.0-r0': 'CVE-2024-0006', '2.1-r0': ['N/A', 'CVE-2024-0007'] } } },
            { pkg: { name: 'nofixes' } },
          ],
        }),
      );
      const stats = newFeedStats();
      const read = await collect(readAlpineSecdb(dir.path, { stats }));
      expect(read.skipped).toEqual([
        { location: 'main.json#packages[1]', reason: 'no "pkg.name"' },
        { location: 'main.json#packages[2]', reason: 'no "pkg.name"' },
        { location: 'main.json#packages[3] (listless)', reason: '"secfixes" is not an object' },
        { location: 'main.json#packages[4] (mixed) secfixes["2.0-r0"]', reason: 'not a list of vulnerability ids' },
        { location: 'main.json#packages[4] (mixed) secfixes["2.1-r0"]', reason: 'no vulnerability id in "N/A"' },
      ]);
      expect(read.advisories.map((a) => [a.key, a.aliases])).toEqual([
        ['v3.99/main/good/CVE-2024-0001', []],
        ['v3.99/main/good/CVE-2024-0002', ['GHSA-aaaa-bbbb-cccc']],
        ['v3.99/main/mixed/CVE-2024-0007', []],
      ]);
      expect(stats).toEqual({ advisories: 3, skipped: 5, notAffected: 1 });
    } finally {
      await dir.remove();
    }
  });

  it('fails on a document that is not JSON, is not a secdb document, or repeats a release and repository', async () => {
    const dir = await tempDir();
    try {
      await writeFile(join(dir.path, 'broken.json'), '{"distroversion": "v3.10", "packages": [');
      expect((await readError(readAlpineSecdb(join(dir.path, 'broken.json')))).message).toMatch(
        /^feed source .*broken\.json: broken\.json is not JSON: /,
      );

      await writeFile(join(dir.path, 'other.json'), JSON.stringify({ distroversion: 'v3.10', packages: [] }));
      const err = await readError(readAlpineSecdb(join(dir.path, 'other.json'), { sourceName: 'alpine' }));
      expect(err).toBeInstanceOf(FeedSourceError);
      expect(err.message).toBe(
        `feed source alpine (${join(dir.path, 'other.json')}): other.json is not an Alpine secdb document: no "reponame" string`,
      );

      const mirror = join(dir.path, 'mirror');
      await mkdir(join(mirror, 'a'), { recursive: true });
      await mkdir(join(mirror, 'b'));
      const doc = JSON.stringify({ distroversion: 'v3.10', reponame: 'main', packages: [] });
      await writeFile(join(mirror, 'a', 'main.json'), doc);
      await writeFile(join(mirror, 'b', 'main.json'), doc);
      expect((await readError(readAlpineSecdb(mirror))).message).toBe(
        `feed source ${mirror}: b/main.json and a/main.json are both v3.10/main`,
      );
    } finally {
      await dir.remove();
    }
  });

  it('fails on a path that does not exist', async () => {
    const err = await readError(readAlpineSecdb(join(secdbDir(), 'v9.99')));
    expect(err).toBeInstanceOf(FeedSourceError);
    expect(err.message).toMatch(/v9\.99\): no such file or directory$|v9\.99: no such file or directory$/);
  });
});
