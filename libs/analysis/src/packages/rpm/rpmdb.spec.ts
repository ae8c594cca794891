import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fixturesDir } from '@vulnscan/testing';
import type { Package } from '../../model';
import { parseRpmDb } from './rpmdb';
import Database from 'better-sqlite3';

const rpmFixture = (name: string): Buffer => readFileSync(path.join(fixturesDir(), 'pkgdb', 'rpm', name));
const SQLITE_PATH = 'var/lib/rpm/rpmdb.sqlite';

/** A row as `rpm -qa --qf '%{NAME}\t%{EPOCHNUM}:%{VERSION}-%{RELEASE}\t%{ARCH}\t%{SOURCERPM}'` prints it. */
const tsvRow = (p: Package): string =>
  [p.name, `${p.rpm?.epoch ?? 0}:${p.rpm?.version}-${p.rpm?.release}`, p.arch, p.rpm?.sourceRpm].join('\t');

describe('parseRpmDb: SQLite (CBL-Mariner 2.0)', () => {
  const expected = rpmFixture('cbl-mariner-2.0.expected.tsv').toString('utf8').split('\n').filter(Boolean).sort();
  const parsed = parseRpmDb(rpmFixture('cbl-mariner-2.0.rpmdb.sqlite'), SQLITE_PATH);

  it('gives exactly the 129 packages rpm lists', async () => {
    const { format, packages, warnings } = await parsed;
    expect([format, warnings]).toEqual(['sqlite', []]);
    expect(expected).toHaveLength(129);
    expect(packages.map(tsvRow).sort()).toEqual(expected);
  });

  it('writes the epoch only where there is one, and takes the source from SOURCERPM', async () => {
    const { packages } = await parsed;
    const find = (name: string) => packages.find((p) => p.name === name);
    expect(find('ca-certificates-base')).toEqual({
      type: 'rpm',
      name: 'ca-certificates-base',
      version: '1:2.0.0-1.cm2',
      arch: 'noarch',
      rpm: { epoch: 1, version: '2.0.0', release: '1.cm2', sourceRpm: 'ca-certificates-2.0.0-1.cm2.src.rpm' },
      source: { name: 'ca-certificates', version: '1:2.0.0-1.cm2' },
      licenses: ['MPLv2.0'],
      path: SQLITE_PATH,
    });
    expect(find('audit')).toMatchObject({ version: '3.0.6-1.cm2', source: { name: 'audit', version: '3.0.6-1.cm2' } });
    expect(find('device-mapper-libs')).toMatchObject({ version: '2.03.05-9.cm2', source: { name: 'lvm2', version: '2.03.05-9.cm2' } });
    expect(find('core-packages-container')?.source).toEqual({ name: 'core-packages', version: '2.0-1.cm2' });
    expect(
      packages
        .filter((p) => p.rpm?.epoch !== undefined)
        .map((p) => p.name)
        .sort(),
    ).toEqual(['ca-certificates-base', 'ca-certificates-shared', 'ca-certificates-tools']);
  });

  it('a truncated file: a warning, no packages', async () => {
    const whole = rpmFixture('cbl-mariner-2.0.rpmdb.sqlite');
    // SQLite checks the page count its header declares against the file before reading a row.
    expect(await parseRpmDb(whole.subarray(0, whole.length / 2), SQLITE_PATH)).toEqual({
      format: 'sqlite',
      packages: [],
      warnings: [`${SQLITE_PATH}: database disk image is malformed`],
    });
  });

  it('garbage after the SQLite magic: a warning, no packages', async () => {
    const garbage = Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(8192, 0x5a)]);
    const result = await parseRpmDb(garbage, SQLITE_PATH);
    expect(result.packages).toEqual([]);
    expect(result.warnings).toEqual([`${SQLITE_PATH}: file is not a database`]);
  });

  it('an SQLite file without a Packages table', async () => {
    const db = new Database(':memory:');
    db.exec('CREATE TABLE Other (x)');
    const bytes = db.serialize();
    db.close();
    expect(await parseRpmDb(bytes, SQLITE_PATH)).toEqual({
      format: 'sqlite',
      packages: [],
      warnings: [`${SQLITE_PATH}: no such table: Packages`],
    });
  });
});

describe('parseRpmDb: Berkeley DB (libuuid, RHEL 8)', () => {
  const BDB_PATH = 'var/lib/rpm/Packages';
  const LIBUUID: Package = {
    type: 'rpm',
    name: 'libuuid',
    version: '2.32.1-42.el8_8',
    arch: 'x86_64',
    rpm: { version: '2.32.1', release: '42.el8_8', sourceRpm: 'util-linux-2.32.1-42.el8_8.src.rpm' },
    source: { name: 'util-linux', version: '2.32.1-42.el8_8' },
    licenses: ['BSD'],
    path: BDB_PATH,
  };

  it('gives its one package; the key-0 bookkeeping record is not one', async () => {
    expect(await parseRpmDb(rpmFixture('libuuid.Packages.bdb'), BDB_PATH)).toEqual({ format: 'bdb', packages: [LIBUUID], warnings: [] });
  });

  // The fixture: 4 KiB pages; page 2 holds the header's key/value pair, whose value is an
  // 80,880-byte overflow chain over pages 3 to 22.
  const PAGE = 4096;
  const damaged = (change: (db: Buffer) => void): Buffer => {
    const db = Buffer.from(rpmFixture('libuuid.Packages.bdb'));
    change(db);
    return db;
  };

  it.each<[string, Buffer, string[]]>([
    [
      'truncated mid-chain',
      rpmFixture('libuuid.Packages.bdb').subarray(0, 21 * PAGE),
      ['truncated: 21 of 23 pages present', 'page 2, pair 0: overflow page 21 is beyond the file'],
    ],
    [
      'truncated to less than the header',
      rpmFixture('libuuid.Packages.bdb').subarray(0, 10 * PAGE),
      ['truncated: 10 of 23 pages present', 'page 2, pair 0: overflow item of 80880 bytes is larger than the file'],
    ],
    ['a looping chain', damaged((db) => db.writeUInt32LE(4, 5 * PAGE + 16)), ['page 2, pair 0: overflow chain loops at page 4']],
    [
      'a chain into a non-overflow page',
      damaged((db) => db.writeUInt32LE(1, 5 * PAGE + 16)),
      ['page 2, pair 0: page 1 is not an overflow page'],
    ],
    ['an overlong page', damaged((db) => db.writeUInt16LE(4095, 7 * PAGE + 22)), ['page 2, pair 0: overflow page 7 holds too much data']],
    ['a short chain', damaged((db) => db.writeUInt32LE(0, 21 * PAGE + 16)), ['page 2, pair 0: overflow chain holds 77330 of 80880 bytes']],
    ['an odd entry count', damaged((db) => db.writeUInt16LE(3, 2 * PAGE + 20)), ['page 2: bad entry count 3']],
    ['item offsets off the page', damaged((db) => db.writeUInt16LE(9, 2 * PAGE + 28)), ['page 2, pair 0: item offsets out of range']],
    ['a bad page size', damaged((db) => db.writeUInt32LE(1000, 20)), ['bad page size 1000']],
  ])('%s: a warning, no package, no throw', async (_, bytes, warnings) => {
    expect(await parseRpmDb(bytes, BDB_PATH)).toEqual({
      format: 'bdb',
      packages: [],
      warnings: warnings.map((w) => `${BDB_PATH}: ${w}`),
    });
  });

  it('a corrupted header blob costs that package only, with a warning', async () => {
    const bytes = damaged((db) => db.writeInt32BE(0x7fffffff, 3 * PAGE + 26)); // the header's index count
    expect(await parseRpmDb(bytes, BDB_PATH)).toEqual({
      format: 'bdb',
      packages: [],
      warnings: [`${BDB_PATH}: header 1: bad index count 2147483647; skipped`],
    });
  });
});

describe('parseRpmDb: anything else', () => {
  it.each([Buffer.alloc(0), Buffer.from('not a database at all'), Buffer.alloc(4096, 0xff)])('%#: a warning', async (bytes) => {
    expect(await parseRpmDb(bytes, SQLITE_PATH)).toEqual({
      packages: [],
      warnings: [`${SQLITE_PATH}: not an rpm database (SQLite, Berkeley DB or ndb)`],
    });
  });
});
