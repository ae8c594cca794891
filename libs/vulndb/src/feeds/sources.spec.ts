import { join, resolve } from 'node:path';
import { fixturesDir } from '@vulnscan/testing';
import { FeedConfigError, FeedSourceError } from './errors';
import { parseFeedSources, readFeed } from './sources';
import { collect, readError } from './test-support/feed-test-support';

describe('parseFeedSources', () => {
  const cwd = '/srv/vulnscan';

  it('reads <kind>=<location> entries, paths resolved against the cwd', () => {
    const value =
      'osv=../shared/fixtures/feeds/osv,alpine-secdb=../shared/fixtures/feeds/alpine-secdb,debian-oval=../shared/fixtures/feeds/debian-oval/oval-definitions-bookworm.xml.bz2';
    expect(parseFeedSources(value, cwd)).toEqual([
      { name: 'osv', kind: 'osv', location: '/srv/shared/fixtures/feeds/osv' },
      { name: 'alpine-secdb', kind: 'alpine-secdb', location: '/srv/shared/fixtures/feeds/alpine-secdb' },
      { name: 'debian-oval', kind: 'debian-oval', location: '/srv/shared/fixtures/feeds/debian-oval/oval-definitions-bookworm.xml.bz2' },
    ]);
  });

  it('resolves relative paths against process.cwd() by default, and keeps absolute ones', () => {
    expect(parseFeedSources('osv=feeds/osv,alpine-secdb=/data/secdb')).toEqual([
      { name: 'osv', kind: 'osv', location: resolve('feeds/osv') },
      { name: 'alpine-secdb', kind: 'alpine-secdb', location: '/data/secdb' },
    ]);
  });

  it('keeps http(s) URLs, and names a repeated kind <kind>-2, <kind>-3 in order', () => {
    expect(
      parseFeedSources(
        ' osv=https://osv-vulnerabilities.storage.googleapis.com/Go/all.zip , osv=https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip,, osv = /data/osv ,',
        cwd,
      ),
    ).toEqual([
      { name: 'osv', kind: 'osv', location: 'https://osv-vulnerabilities.storage.googleapis.com/Go/all.zip' },
      { name: 'osv-2', kind: 'osv', location: 'https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip' },
      { name: 'osv-3', kind: 'osv', location: '/data/osv' },
    ]);
  });

  it('takes explicit names (name:kind=…); generated names step around them', () => {
    expect(parseFeedSources('osv=/a,osv-2:osv=/b,osv=/c,debian-12:debian-oval=http://mirror.example/oval.xml.bz2', cwd)).toEqual([
      { name: 'osv', kind: 'osv', location: '/a' },
      { name: 'osv-2', kind: 'osv', location: '/b' },
      { name: 'osv-3', kind: 'osv', location: '/c' },
      { name: 'debian-12', kind: 'debian-oval', location: 'http://mirror.example/oval.xml.bz2' },
    ]);
  });

  it('gives nothing for an empty value', () => {
    expect(parseFeedSources('', cwd)).toEqual([]);
    expect(parseFeedSources(' , ', cwd)).toEqual([]);
  });

  it.each([
    ['nvd=/data/nvd', 'entry 1 "nvd=/data/nvd": unknown kind "nvd" (expected osv, alpine-secdb, debian-oval)'],
    ['osv=/a,alpine-secdb=', 'entry 2 "alpine-secdb=": no path or URL after "="'],
    ['osv', 'entry 1 "osv": expected <kind>=<path or URL>'],
    ['osv=ftp://example.org/all.zip', 'entry 1 "osv=ftp://example.org/all.zip": unsupported URL scheme "ftp:" (http and https only)'],
    ['osv=file:///data/osv', 'entry 1 "osv=file:///data/osv": unsupported URL scheme "file:" (http and https only)'],
    ['osv=https://', 'entry 1 "osv=https://": "https://" is not a valid URL'],
    [
      'osv=https://user:secret@mirror.example/all.zip',
      'entry 1 "osv=https://user:secret@mirror.example/all.zip": credentials in the URL are not supported',
    ],
    ['a:osv=/a,a:alpine-secdb=/b', 'entry 2 "a:alpine-secdb=/b": the name "a" is used twice'],
    ['bad name:osv=/a', 'entry 1 "bad name:osv=/a": the name "bad name" must be letters, digits, ".", "_" or "-" (at most 63)'],
  ])('rejects %j', (value, message) => {
    expect(() => parseFeedSources(value, cwd)).toThrow(new FeedConfigError(message));
  });
});

describe('readFeed', () => {
  it('reads a source with the parser of its kind, naming it in errors', async () => {
    const feeds = join(fixturesDir(), 'feeds');
    const [secdb, osv] = parseFeedSources(`alpine-secdb=${feeds}/alpine-secdb/v3.10/main.json,osv=${feeds}/osv/samples/USN-6315-1.json`);
    const alpine = await collect(readFeed(secdb));
    expect(alpine.advisories.length).toBeGreaterThan(0);
    expect(alpine.advisories.every((a) => a.source === 'alpine-secdb')).toBe(true);
    expect((await collect(readFeed(osv))).advisories.map((a) => a.id)).toEqual(['USN-6315-1']);

    const [missing] = parseFeedSources(`debian-oval=${feeds}/debian-oval/nope.xml.bz2`);
    const err = await readError(readFeed(missing));
    expect(err).toBeInstanceOf(FeedSourceError);
    expect(err.message).toBe(`feed source debian-oval (${feeds}/debian-oval/nope.xml.bz2): no such file or directory`);
  });
});
