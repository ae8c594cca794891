import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SaxesParser } from 'saxes';
import { fixturesDir } from '@vulnscan/testing';
import type { Advisory } from '../../model';
import { FeedSourceError } from '../errors';
import { openDecompressed } from '../io/decompress';
import { newFeedStats } from '../io/limits';
import { collect, readError, tempDir } from '../test-support/feed-test-support';
import { readDebianOval } from './read-debian-oval';

const bookworm = () => join(fixturesDir(), 'feeds/debian-oval/oval-definitions-bookworm.xml.bz2');

describe('readDebianOval: the bookworm OVAL feed (July 2023)', () => {
  const stats = newFeedStats();
  const keys = new Set<string>();
  const picked = new Map<string, Advisory>();
  let unfixed = 0;
  let dsa = 0;
  let skipped = 0;
  beforeAll(async () => {
    // Only counts and a few records are kept: holding 25,932 advisories is not what is tested.
    for await (const item of readDebianOval(bookworm(), { stats, sourceName: 'debian-oval' })) {
      if (item.kind === 'skipped') {
        skipped++;
        continue;
      }
      const advisory = item.advisory;
      keys.add(advisory.key);
      if (advisory.affected.some((pkg) => pkg.ranges.some((range) => !range.events.some((event) => event.fixed !== undefined)))) unfixed++;
      if (advisory.id.startsWith('DSA-')) dsa++;
      if (['CVE-2023-0286/openssl', 'CVE-2010-4756/glibc', 'DSA-5420-1/chromium', 'CVE-1999-0199/glibc'].includes(advisory.key)) {
        picked.set(advisory.key, advisory);
      }
    }
  });

  it('yields all 25,932 definitions, each with a distinct <id>/<source package> key', () => {
    expect(stats).toEqual({ advisories: 25932, skipped: 0, notAffected: 0 });
    expect(skipped).toBe(0);
    expect(keys.size).toBe(25932);
    expect(dsa).toBe(26);
  });

  it('maps the 1,533 definitions at version 0 (open in the tracker) as unfixed: affected in every version', () => {
    expect(unfixed).toBe(1533);
    expect(picked.get('CVE-2010-4756/glibc')).toMatchObject({
      id: 'CVE-2010-4756',
      aliases: [],
      affected: [{ ecosystem: 'Debian:12', name: 'glibc', ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }], versions: [] }],
    });
  });

  it('maps CVE-2023-0286 of openssl (the source of libssl3) field by field', () => {
    const advisory = picked.get('CVE-2023-0286/openssl')!;
    expect(advisory).toEqual({
      source: 'debian-oval',
      key: 'CVE-2023-0286/openssl',
      id: 'CVE-2023-0286',
      aliases: [],
      cvss: [],
      references: ['https://cve.mitre.org/cgi-bin/cvename.cgi?name=CVE-2023-0286'],
      details: expect.stringMatching(
        /^There is a type confusion vulnerability relating to X\.400 address processing inside an X\.509 GeneralName\./,
      ),
      affected: [
        {
          ecosystem: 'Debian:12',
          name: 'openssl',
          ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.0.8-1' }] }],
          versions: [],
        },
      ],
    });
    expect(advisory.severity).toBeUndefined();
    expect(picked.get('CVE-1999-0199/glibc')?.affected[0].ranges).toEqual([
      { type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.2-1' }] },
    ]);
  });

  it('maps a DSA (patch) definition with its CVEs as aliases and its date as published', () => {
    expect(picked.get('DSA-5420-1/chromium')).toEqual({
      source: 'debian-oval',
      key: 'DSA-5420-1/chromium',
      id: 'DSA-5420-1',
      aliases: ['CVE-2023-3079'],
      summary: 'security update',
      details:
        'Multiple security issues were discovered in Chromium, which could result in the execution of arbitrary code, denial of service or information disclosure.',
      published: '2023-06-07',
      cvss: [],
      references: ['https://cve.mitre.org/cgi-bin/cvename.cgi?name=CVE-2023-3079'],
      affected: [
        {
          ecosystem: 'Debian:12',
          name: 'chromium',
          ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '114.0.5735.106-1~deb12u1' }] }],
          versions: [],
        },
      ],
    });
  });

  it('is right to read the criterion comments: every one names the package and version its test, object and state give', async () => {
    // An independent pass over the raw XML that resolves test_ref → object (name) and state (evr).
    const comments = new Map<string, string>();
    const testRefs = new Map<string, { object?: string; state?: string }>();
    const names = new Map<string, string>();
    const evrs = new Map<string, string>();
    const sax = new SaxesParser({ xmlns: false });
    let test: string | undefined;
    let element: { kind: 'name' | 'evr'; id: string; text: string } | undefined;
    let owner: string | undefined;
    sax.on('opentag', (tag) => {
      const attrs = tag.attributes as Record<string, string>;
      if (tag.name === 'criterion' && / DPKG is earlier than /.test(attrs['comment'] ?? ''))
        comments.set(attrs['test_ref'], attrs['comment']);
      else if (tag.name === 'dpkginfo_test') testRefs.set((test = attrs['id']), {});
      else if (tag.name === 'object' && test) testRefs.get(test)!.object = attrs['object_ref'];
      else if (tag.name === 'state' && test) testRefs.get(test)!.state = attrs['state_ref'];
      else if (tag.name === 'dpkginfo_object' || tag.name === 'dpkginfo_state') owner = attrs['id'];
      else if ((tag.name === 'name' || tag.name === 'evr') && owner) element = { kind: tag.name, id: owner, text: '' };
    });
    sax.on('text', (text) => {
      if (element) element.text += text;
    });
    sax.on('closetag', (tag) => {
      if (tag.name === 'dpkginfo_test') test = undefined;
      if (element && tag.name === element.kind) {
        (element.kind === 'name' ? names : evrs).set(element.id, element.text.trim());
        element = undefined;
      }
    });
    const text = openDecompressed(bookworm(), 'bzip2').setEncoding('utf8');
    for await (const chunk of text) sax.write(chunk as string);
    sax.close();

    expect(comments.size).toBe(25932);
    let agreeing = 0;
    let lessThanZero = 0;
    for (const [ref, comment] of comments) {
      const [, name, version] = /^(\S+) DPKG is earlier than (\S+)$/.exec(comment)!;
      const target = testRefs.get(ref)!;
      const evr = evrs.get(target.state!)!;
      if (names.get(target.object!) === name && evr === (version.includes(':') ? version : `0:${version}`)) agreeing++;
      if (evr === '0:0') lessThanZero++;
    }
    expect(agreeing).toBe(25932);
    // The unfixed ones: the state is `less than 0:0`, which the comment writes as version 0.
    expect(lessThanZero).toBe(1533);
  });
});

const DEFS_HEAD = `<?xml version="1.0" encoding="UTF-8"?>
<oval_definitions xmlns="http://oval.mitre.org/XMLSchema/oval-definitions-5"><definitions>`;
const DEFS_TAIL = `</definitions><tests/></oval_definitions>`;

function definition(id: string, title: string, platform: string, product: string, criteria: string[]): string {
  return `<definition id="${id}" version="1" class="vulnerability"><metadata><title>${title}</title>
    <affected family="unix"><platform>${platform}</platform><product>${product}</product></affected>
    <reference source="CVE" ref_id="${title.split(' ')[0]}" ref_url="https://example.org/${title.split(' ')[0]}"/>
    <description>${title} &amp; more</description><debian><moreinfo></moreinfo></debian></metadata>
    <criteria comment="Release section" operator="AND"><criterion test_ref="t1" comment="Debian 12 is installed"/>
    <criteria comment="Architecture section" operator="OR">${criteria.map((c) => `<criterion test_ref="t" comment="${c}"/>`).join('')}</criteria></criteria>
  </definition>`;
}

describe('readDebianOval: small documents', () => {
  it('skips definitions it cannot use and goes on', async () => {
    const dir = await tempDir();
    try {
      const xml =
        DEFS_HEAD +
        definition('d1', 'CVE-2024-0001 zlib', 'Debian GNU/Linux 12', 'zlib', ['zlib DPKG is earlier than 1:1.2.13.dfsg-1']) +
        definition('d2', 'CVE-2024-0002 zlib', 'Debian GNU/Linux 12', 'zlib', ['all architecture']) +
        definition('d3', 'CVE-2024-0003 zlib', 'Ubuntu 22.04', 'zlib', ['zlib DPKG is earlier than 1.0-1']) +
        definition('d4', 'CVE-2024-0004 linux', 'Debian GNU/Linux 11', 'linux', [
          'linux DPKG is earlier than 0',
          'linux DPKG is earlier than 0',
        ]) +
        `<definition class="vulnerability"><metadata/></definition>` +
        DEFS_TAIL;
      await writeFile(join(dir.path, 'small.xml'), xml);
      const stats = newFeedStats();
      const read = await collect(readDebianOval(join(dir.path, 'small.xml'), { stats }));
      expect(read.skipped).toEqual([
        { location: 'd2', reason: 'no "<package> DPKG is earlier than <version>" criterion' },
        { location: 'd3', reason: 'no Debian release among the platforms ("Ubuntu 22.04")' },
        { location: 'definition #5', reason: 'no title or reference to take the vulnerability id from' },
      ]);
      expect(read.advisories.map((a) => [a.key, a.affected])).toEqual([
        [
          'CVE-2024-0001/zlib',
          [
            {
              ecosystem: 'Debian:12',
              name: 'zlib',
              ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1:1.2.13.dfsg-1' }] }],
              versions: [],
            },
          ],
        ],
        [
          'CVE-2024-0004/linux',
          [{ ecosystem: 'Debian:11', name: 'linux', ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }], versions: [] }],
        ],
      ]);
      expect(read.advisories[0].details).toBe('CVE-2024-0001 zlib & more');
      expect(stats).toEqual({ advisories: 2, skipped: 3, notAffected: 0 });
    } finally {
      await dir.remove();
    }
  });

  it('fails on XML that is not well-formed, even after definitions were read', async () => {
    const dir = await tempDir();
    try {
      const cut =
        DEFS_HEAD +
        definition('d1', 'CVE-2024-0001 zlib', 'Debian GNU/Linux 12', 'zlib', ['zlib DPKG is earlier than 1.0-1']) +
        '<definition id="d2"><metadata><ti';
      await writeFile(join(dir.path, 'cut.xml'), cut);
      const err = await readError(readDebianOval(join(dir.path, 'cut.xml')));
      expect(err).toBeInstanceOf(FeedSourceError);
      expect(err.message).toMatch(/cut\.xml: XML not well-formed: /);

      await writeFile(join(dir.path, 'mismatch.xml'), `${DEFS_HEAD}<definition id="x"></metadata>${DEFS_TAIL}`);
      expect((await readError(readDebianOval(join(dir.path, 'mismatch.xml')))).message).toMatch(/mismatch\.xml: XML not well-formed: /);
    } finally {
      await dir.remove();
    }
  });

  it('fails on a document that is not OVAL definitions', async () => {
    const dir = await tempDir();
    try {
      await writeFile(join(dir.path, 'page.xml'), '<html><body>Service unavailable</body></html>');
      expect((await readError(readDebianOval(join(dir.path, 'page.xml')))).message).toMatch(
        /page\.xml: the root element is <html>, not <oval_definitions>$/,
      );
      await writeFile(join(dir.path, 'empty.xml'), '<oval_definitions/>');
      expect((await readError(readDebianOval(join(dir.path, 'empty.xml')))).message).toMatch(
        /no <definitions> element: not an OVAL definitions document$/,
      );
    } finally {
      await dir.remove();
    }
  });

  it('fails on a truncated or a corrupt bz2, a missing file and a directory', async () => {
    const dir = await tempDir();
    try {
      const bz2 = await readFile(bookworm());
      await writeFile(join(dir.path, 'truncated.xml.bz2'), bz2.subarray(0, 1_000_000));
      const corrupt = Buffer.from(bz2);
      corrupt[500_000] ^= 0xff;
      await writeFile(join(dir.path, 'corrupt.xml.bz2'), corrupt);
      for (const name of ['truncated.xml.bz2', 'corrupt.xml.bz2']) {
        const err = await readError(readDebianOval(join(dir.path, name), { sourceName: 'debian-oval' }));
        expect(err).toBeInstanceOf(FeedSourceError);
        expect(err.message).toMatch(
          new RegExp(`^feed source debian-oval \\(.*${name.replace(/\./g, '\\.')}\\): bzip2 data is truncated or corrupt \\(`),
        );
      }
      expect((await readError(readDebianOval(join(dir.path, 'missing.xml.bz2')))).message).toMatch(
        /missing\.xml\.bz2: no such file or directory$/,
      );
      expect((await readError(readDebianOval(dir.path))).message).toMatch(/is a directory; name the OVAL definitions file/);
    } finally {
      await dir.remove();
    }
  });
});
