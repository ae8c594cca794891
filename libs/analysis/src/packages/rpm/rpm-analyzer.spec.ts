import { createReadStream, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { fixturesDir } from '@vulnscan/testing';
import { createRpmAnalyzer, rpmAnalyzer } from './rpm-analyzer';

const fixture = (name: string): string => path.join(fixturesDir(), 'pkgdb', 'rpm', name);

describe('rpmAnalyzer', () => {
  it.each([
    ['var/lib/rpm/rpmdb.sqlite', true],
    ['var/lib/rpm/Packages', true],
    ['var/lib/rpm/Packages.db', true],
    ['usr/lib/sysimage/rpm/rpmdb.sqlite', true],
    ['usr/lib/sysimage/rpm/Packages.db', true],
    ['var/lib/rpm/rpmdb.sqlite-shm', false],
    ['var/lib/rpm/Name', false],
    ['var/lib/rpm/__db.001', false],
    ['opt/var/lib/rpm/Packages', false],
  ])('accepts %s: %s', (filePath, accepted) => {
    expect(rpmAnalyzer.accepts(filePath, 1, 0o644)).toBe(accepted);
  });

  it('streams the SQLite fixture in and finds its 129 packages', async () => {
    const file = fixture('cbl-mariner-2.0.rpmdb.sqlite');
    const result = await rpmAnalyzer.analyze({
      path: 'var/lib/rpm/rpmdb.sqlite',
      size: statSync(file).size,
      mode: 0o644,
      content: createReadStream(file, { highWaterMark: 64 * 1024 }),
    });
    expect(result.warnings).toBeUndefined();
    expect(result.packages).toHaveLength(129);
  });

  it('reads the SQLite database from a temporary copy of bounded size, deleted afterwards', async () => {
    const spoolDir = mkdtempSync(path.join(tmpdir(), 'rpm-spool-'));
    try {
      const file = fixture('cbl-mariner-2.0.rpmdb.sqlite');
      const size = statSync(file).size;
      const analyzer = createRpmAnalyzer({ spoolDir, maxBytes: size });
      const result = await analyzer.analyze({ path: 'var/lib/rpm/rpmdb.sqlite', size, mode: 0o644, content: createReadStream(file) });
      expect(result.packages).toHaveLength(129);
      expect(readdirSync(spoolDir)).toEqual([]);
      // A stream longer than its declared size is cut at the limit, not written on.
      const longer = Readable.from([readFileSync(file), Buffer.alloc(1)]);
      expect(await analyzer.analyze({ path: 'var/lib/rpm/rpmdb.sqlite', size, mode: 0o644, content: longer })).toEqual({
        warnings: [`var/lib/rpm/rpmdb.sqlite: longer than the ${size}-byte limit; not read`],
      });
      expect(readdirSync(spoolDir)).toEqual([]);
    } finally {
      rmSync(spoolDir, { recursive: true, force: true });
    }
  });

  it('the format comes from the content, not the name', async () => {
    const data = readFileSync(fixture('libuuid.Packages.bdb'));
    const result = await rpmAnalyzer.analyze({
      path: 'var/lib/rpm/rpmdb.sqlite',
      size: data.length,
      mode: 0o644,
      content: Readable.from([data]),
    });
    expect(result.packages?.map((p) => p.name)).toEqual(['libuuid']);
  });

  it('over the size limit: a warning, no packages', async () => {
    const data = readFileSync(fixture('libuuid.Packages.bdb'));
    const small = createRpmAnalyzer({ maxBytes: 65536 });
    expect(await small.analyze({ path: 'var/lib/rpm/Packages', size: data.length, mode: 0o644, content: Readable.from([data]) })).toEqual({
      warnings: ['var/lib/rpm/Packages: 94208 bytes, over the 65536-byte limit; not read'],
    });
  });

  it('garbage: a warning, no throw', async () => {
    const content = Readable.from([Buffer.from('\u0000garbage')]);
    expect(await rpmAnalyzer.analyze({ path: 'var/lib/rpm/Packages', size: 8, mode: 0o644, content })).toEqual({
      packages: [],
      warnings: ['var/lib/rpm/Packages: not an rpm database (SQLite, Berkeley DB or ndb)'],
    });
  });
});
