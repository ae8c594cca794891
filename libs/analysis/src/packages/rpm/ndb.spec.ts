import * as path from 'node:path';
import { fixturesDir } from '@vulnscan/testing';
import { ndbBlobs } from './ndb';
import { parseRpmDb } from './rpmdb';
import { sqliteBlobs } from './sqlite';

/**
 * No ndb fixture is in ../shared/fixtures, so these databases are written here in the layout of
 * rpm's rpmpkg.c around real header blobs taken from the CBL-Mariner SQLite fixture.
 */
async function realBlobs(count: number): Promise<Uint8Array[]> {
  const sqlite = path.join(fixturesDir(), 'pkgdb', 'rpm', 'cbl-mariner-2.0.rpmdb.sqlite');
  const warnings: string[] = [];
  const blobs = [...sqliteBlobs(sqlite, (w) => warnings.push(w))].slice(0, count);
  expect(warnings).toEqual([]);
  return blobs.map((b) => Uint8Array.from(b));
}

const ascii = (s: string): number => Buffer.from(s, 'latin1').readUInt32LE(0);

/** One slot page (the 32-byte db header takes its first two slots); slot i+2 → blob i; `null` = free slot. */
function ndb(blobs: Array<Uint8Array | null>): Buffer {
  const slots = Buffer.alloc(4096);
  slots.writeUInt32LE(ascii('RpmP'), 0);
  slots.writeUInt32LE(0, 4); // version
  slots.writeUInt32LE(1, 8); // generation
  slots.writeUInt32LE(1, 12); // slot pages
  const parts: Buffer[] = [slots];
  let offset = 4096;
  for (let slot = 2; slot < 256; slot++) slots.writeUInt32LE(ascii('Slot'), slot * 16);
  blobs.forEach((blob, i) => {
    if (!blob) return;
    const at = (i + 2) * 16;
    const size = 16 + blob.length + 16; // blob header, blob, tail
    const blocks = Math.ceil(size / 16);
    slots.writeUInt32LE(i + 1, at + 4);
    slots.writeUInt32LE(offset / 16, at + 8);
    slots.writeUInt32LE(blocks, at + 12);
    const block = Buffer.alloc(blocks * 16);
    block.writeUInt32LE(ascii('BlbS'), 0);
    block.writeUInt32LE(i + 1, 4);
    block.writeUInt32LE(blob.length, 12);
    Buffer.from(blob).copy(block, 16);
    parts.push(block);
    offset += block.length;
  });
  return Buffer.concat(parts);
}

const NDB_PATH = 'var/lib/rpm/Packages.db';

describe('ndb', () => {
  it('reads every used slot’s blob, skipping free slots', async () => {
    const [a, b, c] = await realBlobs(3);
    const result = await parseRpmDb(ndb([a, null, b, c]), NDB_PATH);
    expect([result.format, result.warnings]).toEqual(['ndb', []]);
    expect(result.packages.map((p) => `${p.name} ${p.version} ${p.arch}`)).toEqual([
      'mariner-release 2.0-4.cm2 noarch',
      'filesystem 1.1-8.cm2 x86_64',
      'glibc 2.34-2.cm2 x86_64',
    ]);
  });

  it('damaged slots and blobs: warnings, the intact packages kept', async () => {
    const [a, b] = await realBlobs(2);
    const warnings: string[] = [];
    const badBlobMagic = ndb([a, b]);
    badBlobMagic.writeUInt32LE(0, 4096); // first blob's magic
    expect([...ndbBlobs(badBlobMagic, (w) => warnings.push(w))]).toHaveLength(1);
    const wrongOwner = ndb([a]);
    wrongOwner.writeUInt32LE(7, 4096 + 4);
    expect([...ndbBlobs(wrongOwner, (w) => warnings.push(w))]).toHaveLength(0);
    const overrun = ndb([a]);
    overrun.writeUInt32LE(0x7fffffff, 4096 + 12);
    expect([...ndbBlobs(overrun, (w) => warnings.push(w))]).toHaveLength(0);
    const outside = ndb([a]);
    outside.writeUInt32LE(0x0fffffff, 32 + 8);
    expect([...ndbBlobs(outside, (w) => warnings.push(w))]).toHaveLength(0);
    const badSlot = ndb([a, b]);
    badSlot.writeUInt32LE(0, 48);
    expect([...ndbBlobs(badSlot, (w) => warnings.push(w))]).toHaveLength(1);
    expect(warnings).toEqual([
      'package 1: bad blob magic at 4096',
      'package 1: blob at 4096 belongs to package 7',
      'package 1: blob of 2147483647 bytes overruns its blocks or the file',
      'package 1: blob at 4294967280 is beyond the file',
      'bad slot magic at 48; the slot table is damaged',
    ]);
  });

  it('a bad header or a truncated slot table', () => {
    const warnings: string[] = [];
    const tooMany = ndb([]);
    tooMany.writeUInt32LE(5000, 12);
    expect([...ndbBlobs(tooMany, (w) => warnings.push(w))]).toEqual([]);
    const newer = ndb([]);
    newer.writeUInt32LE(1, 4);
    expect([...ndbBlobs(newer, (w) => warnings.push(w))]).toEqual([]);
    expect([...ndbBlobs(ndb([]).subarray(0, 100), (w) => warnings.push(w))]).toEqual([]);
    expect(warnings).toEqual(['bad slot page count 5000', 'unsupported ndb version 1', 'truncated: slot pages end at 4096, file at 100']);
  });
});
