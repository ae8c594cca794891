import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fixturesDir } from '@vulnscan/testing';
import type { Advisory } from '../../model';
import { FeedSourceError } from '../errors';
import { newFeedStats } from '../io/limits';
import { collect, readError, tempDir, type Collected } from '../test-support/feed-test-support';
import { readOsv } from './read-osv';

const osvDir = () => join(fixturesDir(), 'feeds/osv');

function byId(collected: Collected, id: string): Advisory {
  const found = collected.advisories.find((advisory) => advisory.id === id);
  if (!found) throw new Error(`${id} not read`);
  return found;
}

describe('readOsv: Go all.zip (golang/vulndb)', () => {
  let go: Collected;
  const stats = newFeedStats();
  beforeAll(async () => {
    go = await collect(readOsv(join(osvDir(), 'Go/all.zip'), { stats }));
  });

  it('yields every one of the 4,291 records, none skipped', () => {
    expect(go.advisories).toHaveLength(4291);
    expect(go.skipped).toEqual([]);
    expect(stats).toEqual({ advisories: 4291, skipped: 0, notAffected: 0 });
    expect(new Set(go.advisories.map((a) => a.key)).size).toBe(4291);
  });

  it('maps GO-2022-0969 field by field: SEMVER ranges with two introduced events, CVE and GHSA aliases', () => {
    expect(byId(go, 'GO-2022-0969')).toEqual({
      source: 'osv',
      key: 'GO-2022-0969',
      id: 'GO-2022-0969',
      aliases: ['CVE-2022-27664', 'GHSA-69cg-p879-7622'],
      summary: 'Denial of service in net/http and golang.org/x/net/http2',
      details:
        'HTTP/2 server connections can hang forever waiting for a clean shutdown that was preempted by a fatal error. This condition can be exploited by a malicious client to cause a denial of service.',
      published: '2022-09-12T20:23:06Z',
      modified: '0001-01-01T00:00:00Z',
      cvss: [],
      references: ['https://groups.google.com/g/golang-announce/c/x49AQzIVX-s', 'https://go.dev/issue/54658', 'https://go.dev/cl/428735'],
      affected: [
        {
          ecosystem: 'Go',
          name: 'stdlib',
          ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '1.18.6' }, { introduced: '1.19.0-0' }, { fixed: '1.19.1' }] }],
          versions: [],
        },
        {
          ecosystem: 'Go',
          name: 'golang.org/x/net',
          ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }, { fixed: '0.0.0-20220906165146-f3363e06e74c' }] }],
          versions: [],
        },
      ],
    });
  });

  it('keeps withdrawn records, marked withdrawn', () => {
    const withdrawn = go.advisories.filter((a) => a.withdrawn !== undefined);
    expect(withdrawn).toHaveLength(17);
  });

  it('uses only SEMVER ranges, as the Go database does', () => {
    const types = new Set(go.advisories.flatMap((a) => a.affected.flatMap((p) => p.ranges.map((r) => r.type))));
    expect([...types]).toEqual(['SEMVER']);
    expect(go.advisories.reduce((n, a) => n + a.affected.length, 0)).toBe(6125);
  });
});

describe('readOsv: PyPI all.zip (PyPA advisory database)', () => {
  let pypi: Collected;
  beforeAll(async () => {
    pypi = await collect(readOsv(join(osvDir(), 'PyPI/all.zip')));
  });

  it('yields 2,660 of the 2,661 records and skips PYSEC-2024-55, whose modified date is not a timestamp', () => {
    expect(pypi.advisories).toHaveLength(2660);
    expect(pypi.skipped).toEqual([
      {
        location: 'all.zip!PYSEC-2024-55.json',
        reason: expect.stringMatching(/^not a valid OSV record: \/modified must match pattern/),
      },
    ]);
  });

  it('maps PYSEC-2022-43065 field by field: ECOSYSTEM range and versions kept, GIT range dropped, CVSS scored', () => {
    const advisory = byId(pypi, 'PYSEC-2022-43065');
    expect(advisory).toMatchObject({
      source: 'osv',
      key: 'PYSEC-2022-43065',
      aliases: ['CVE-2021-45943'],
      published: '2022-01-01T01:15:00Z',
      modified: '2023-11-13T19:19:43.960137Z',
      cvss: [{ type: 'CVSS_V3', vector: 'CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:N/I:N/A:H', score: 5.5 }],
      affected: [
        {
          ecosystem: 'PyPI',
          name: 'gdal',
          purl: 'pkg:pypi/gdal',
          ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '3.3.0' }, { fixed: '3.4.1' }] }],
          versions: ['3.3.0', '3.3.1', '3.3.2', '3.3.3', '3.4.0'],
        },
      ],
    });
    expect(advisory.summary).toBeUndefined();
    expect(advisory.severity).toBeUndefined();
    // The record lists 16 references, several URLs more than once.
    expect(advisory.references).toContain('https://github.com/OSGeo/gdal/pull/4944');
    expect(new Set(advisory.references).size).toBe(advisory.references.length);
  });

  it('keeps records whose only schema violations are in GIT ranges (abbreviated commits), with their ECOSYSTEM ranges', async () => {
    // PYSEC-2017-27 lists `fixed: "b27f….patch"` in its GIT range, which the schema rejects.
    expect(byId(pypi, 'PYSEC-2017-27').affected).toEqual([
      {
        ecosystem: 'PyPI',
        name: 'python-fedora',
        purl: expect.any(String),
        ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '0.9.0' }] }],
        versions: expect.any(Array),
      },
    ]);
    for (const id of ['PYSEC-2019-155', 'PYSEC-2021-371', 'PYSEC-2021-424', 'PYSEC-2021-425'])
      expect(byId(pypi, id).affected).toHaveLength(1);
  });

  it('keeps a record whose only package has no range and no version, without that package', () => {
    const loguru = byId(pypi, 'PYSEC-2022-15');
    expect(loguru.affected).toEqual([]);
    expect(loguru.aliases.length).toBeGreaterThan(0);
  });

  it('scores every CVSS vector PyPI gives (202 records carry one)', () => {
    expect(pypi.advisories.filter((a) => a.cvss.length > 0)).toHaveLength(202);
    expect(pypi.advisories.every((a) => a.cvss.every((c) => c.type === 'CVSS_V3' && c.score >= 0 && c.score <= 10))).toBe(true);
  });
});

describe('readOsv: a directory', () => {
  it('reads *.json records and every all.zip below it, in path order', async () => {
    const stats = newFeedStats();
    const all = await collect(readOsv(osvDir(), { stats }));
    expect(stats).toEqual({ advisories: 4291 + 2660 + 5, skipped: 2, notAffected: 0 });
    expect(all.skipped.map((s) => s.location)).toEqual(['PyPI/all.zip!PYSEC-2024-55.json', 'samples/MULTI-ECO-FIX-DEMO.json']);
    expect(all.advisories[0].id).toBe('GO-2020-0001');
    expect(all.advisories.at(-1)!.id).toBe('USN-6315-1');
  });

  it('reads the osv.dev samples: ids and aliases; an id without a known prefix is no valid OSV record', async () => {
    const samples = await collect(readOsv(join(osvDir(), 'samples')));
    expect(samples.advisories.map((a) => a.id)).toEqual([
      'CVE-2021-44228',
      'DLA-3623-1',
      'SUSE-SU-2023:3313-1',
      'UBUNTU-CVE-2023-4004',
      'USN-6315-1',
    ]);
    expect(samples.skipped).toEqual([
      { location: 'MULTI-ECO-FIX-DEMO.json', reason: expect.stringMatching(/^not a valid OSV record: \/id must match pattern/) },
    ]);
    expect(samples.advisories.every((a) => a.affected.length === 0)).toBe(true);
  });

  it('skips malformed records and goes on: invalid JSON, a schema violation; an unscorable vector only loses its score', async () => {
    const dir = await tempDir();
    try {
      await mkdir(join(dir.path, 'nested'));
      const valid = {
        id: 'GHSA-aaaa-bbbb-cccc',
        modified: '2024-01-02T03:04:05Z',
        aliases: ['GHSA-aaaa-bbbb-cccc', 'CVE-2024-0001'],
        database_specific: { severity: 'MODERATE' },
      };
      await writeFile(join(dir.path, 'a-valid.json'), JSON.stringify(valid));
      await writeFile(join(dir.path, 'b-broken.json'), '{"id": "GHSA-xxxx", ');
      await writeFile(join(dir.path, 'nested', 'c-no-modified.json'), JSON.stringify({ id: 'GHSA-dddd-eeee-ffff' }));
      await writeFile(join(dir.path, 'nested', 'd-extra-field.json'), JSON.stringify({ ...valid, id: 'GHSA-1111-2222-3333', bogus: 1 }));
      await writeFile(
        join(dir.path, 'nested', 'e-bad-vector.json'),
        JSON.stringify({
          id: 'GHSA-4444-5555-6666',
          modified: '2024-01-02T03:04:05Z',
          severity: [
            { type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' },
            // These two match the schema's patterns but score nothing: base metrics are missing.
            { type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L' },
            { type: 'CVSS_V2', score: 'AV:N/AC:L/Au:N/C:P/I:P' },
            { type: 'CVSS_V4', score: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:X' },
          ],
          affected: [
            {
              package: { ecosystem: 'npm', name: 'left-pad' },
              ranges: [{ type: 'GIT', repo: 'https://example.com/x', events: [{ introduced: '0' }] }],
            },
            { package: { ecosystem: 'npm', name: 'right-pad' }, versions: ['1.0.0'], ecosystem_specific: { severity: 'HIGH' } },
          ],
        }),
      );
      await writeFile(join(dir.path, 'ignored.txt'), 'not a record');

      const stats = newFeedStats();
      const read = await collect(readOsv(dir.path, { stats }));
      expect(read.skipped).toEqual([
        { location: 'b-broken.json', reason: expect.stringMatching(/^invalid JSON: /) },
        { location: 'nested/c-no-modified.json', reason: "not a valid OSV record: / must have required property 'modified'" },
        { location: 'nested/d-extra-field.json', reason: 'not a valid OSV record: / must NOT have additional properties' },
      ]);
      expect(stats).toEqual({ advisories: 2, skipped: 3, notAffected: 0 });
      expect(read.advisories[0]).toEqual({
        source: 'osv',
        key: 'GHSA-aaaa-bbbb-cccc',
        id: 'GHSA-aaaa-bbbb-cccc',
        aliases: ['CVE-2024-0001'],
        modified: '2024-01-02T03:04:05Z',
        severity: 'Medium',
        cvss: [],
        references: [],
        affected: [],
      });
      const scored = read.advisories[1];
      expect(scored.cvss).toEqual([
        { type: 'CVSS_V4', vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:X', score: 9.3 },
        { type: 'CVSS_V3', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', score: 9.8 },
      ]);
      expect(scored.affected).toEqual([{ ecosystem: 'npm', name: 'right-pad', ranges: [], versions: ['1.0.0'], severity: 'High' }]);
    } finally {
      await dir.remove();
    }
  });
});

describe('readOsv: unreadable sources', () => {
  it('fails on a path that does not exist', async () => {
    const err = await readError(readOsv(join(osvDir(), 'Nope/all.zip'), { sourceName: 'osv' }));
    expect(err).toBeInstanceOf(FeedSourceError);
    expect(err.message).toBe(`feed source osv (${join(osvDir(), 'Nope/all.zip')}): no such file or directory`);
  });

  it('fails on a truncated zip, and on a .zip that is not a zip', async () => {
    const dir = await tempDir();
    try {
      const zip = await readFile(join(osvDir(), 'Go/all.zip'));
      await writeFile(join(dir.path, 'truncated.zip'), zip.subarray(0, Math.floor(zip.length / 2)));
      await copyFile(join(osvDir(), 'samples/USN-6315-1.json'), join(dir.path, 'not-a.zip'));
      for (const name of ['truncated.zip', 'not-a.zip']) {
        const err = await readError(readOsv(join(dir.path, name)));
        expect(err).toBeInstanceOf(FeedSourceError);
        expect(err.message).toBe(
          `feed source ${join(dir.path, name)}: not a readable zip file: End of central directory record signature not found. Either not a zip file, or file is truncated.`,
        );
      }
    } finally {
      await dir.remove();
    }
  });

  it('fails on a zip whose member data is corrupt', async () => {
    const dir = await tempDir();
    try {
      const zip = Buffer.from(await readFile(join(osvDir(), 'Go/all.zip')));
      // Damage the compressed data of the first member, past its local header.
      for (let i = 200; i < 400; i++) zip[i] ^= 0x5a;
      await writeFile(join(dir.path, 'corrupt.zip'), zip);
      const err = await readError(readOsv(join(dir.path, 'corrupt.zip')));
      expect(err).toBeInstanceOf(FeedSourceError);
      expect(err.message).toMatch(/corrupt zip member GO-2020-0001\.json/);
    } finally {
      await dir.remove();
    }
  });

  it('fails on a single record file that is not JSON at all', async () => {
    const dir = await tempDir();
    try {
      await writeFile(join(dir.path, 'record.json'), '<html>login</html>');
      const err = await readError(readOsv(join(dir.path, 'record.json')));
      expect(err).toBeInstanceOf(FeedSourceError);
      expect(err.message).toMatch(/record\.json: not a JSON document: Unexpected token/);
    } finally {
      await dir.remove();
    }
  });
});
