import { createWriteStream, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { createGzip, gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { GZIP_LAYER, type TestLayer, type TestLayerFile } from '@vulnscan/testing';

/**
 * Layers an attacker would craft, written byte by byte: tar headers (with pax records for long
 * names) are made here rather than by a tar library, so nothing on the test's side normalizes,
 * rejects or buffers what the worker is meant to meet.
 */

const BLOCK = 512;
const MiB = 1024 * 1024;

export interface RawEntry {
  name: string;
  /** '0' file, '1' hardlink, '2' symlink, '5' directory. */
  type?: '0' | '1' | '2' | '5';
  size?: number;
  linkname?: string;
}

/** A pax record: `<length> <key>=<value>\n`, the length counting itself. */
function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let length = Buffer.byteLength(body) + 1;
  while (String(length).length + Buffer.byteLength(body) !== length) length++;
  return `${length}${body}`;
}

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function ustarHeader(name: string, type: string, size: number, linkname: string): Buffer {
  const header = Buffer.alloc(BLOCK);
  header.write(name.slice(0, 100), 0, 'utf8');
  header.write(octal(type === '5' ? 0o755 : 0o644, 8), 100);
  header.write(octal(0, 8), 108);
  header.write(octal(0, 8), 116);
  header.write(octal(size, 12), 124);
  header.write(octal(0, 12), 136);
  header.write(' '.repeat(8), 148);
  header.write(type, 156);
  header.write(linkname.slice(0, 100), 157, 'utf8');
  header.write('ustar\u000000', 257, 'latin1');
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(octal(sum, 7) + ' ', 148);
  return header;
}

function padded(data: Buffer): Buffer {
  const rest = data.length % BLOCK;
  return rest === 0 ? data : Buffer.concat([data, Buffer.alloc(BLOCK - rest)]);
}

/** The header blocks of one entry (a pax header first when a name or link is over 100 bytes); content follows. */
export function entryHeader({ name, type = '0', size = 0, linkname = '' }: RawEntry): Buffer {
  const records =
    (Buffer.byteLength(name) > 100 ? paxRecord('path', name) : '') +
    (Buffer.byteLength(linkname) > 100 ? paxRecord('linkpath', linkname) : '');
  const main = ustarHeader(name, type, size, linkname);
  if (!records) return main;
  const pax = Buffer.from(records, 'utf8');
  return Buffer.concat([ustarHeader('PaxHeader', 'x', pax.length, ''), padded(pax), main]);
}

/** One whole entry: headers and padded content. */
export function tarEntry(entry: RawEntry, content?: Buffer): Buffer {
  const data = content ?? Buffer.alloc(0);
  return Buffer.concat([entryHeader({ ...entry, size: data.length }), padded(data)]);
}

export const END_OF_ARCHIVE = Buffer.alloc(2 * BLOCK);

/** A gzip layer written to `file` from `blocks`, streamed: a layer of a gigabyte costs no memory. */
export async function gzipLayerFile(file: string, blocks: Iterable<Buffer>): Promise<TestLayerFile> {
  const gzip = createGzip({ level: 6 });
  const out = createWriteStream(file);
  gzip.pipe(out);
  for (const block of blocks) if (!gzip.write(block)) await once(gzip, 'drain');
  gzip.write(END_OF_ARCHIVE);
  gzip.end();
  await once(out, 'close');
  return { mediaType: GZIP_LAYER, file };
}

/**
 * A gzip bomb made of concatenated gzip members (RFC 1952 allows any number): each file's header,
 * then the same 1 MiB of compressed zeros again and again. `files` × `mibEach` MiB of tar from a
 * blob of about a thousandth of that.
 */
export function gzipBomb(files: number, mibEach: number): TestLayer {
  const zeros = gzipSync(Buffer.alloc(MiB), { level: 9 });
  const members: Buffer[] = [];
  for (let i = 0; i < files; i++) {
    members.push(gzipSync(entryHeader({ name: `bomb/${i}`, size: mibEach * MiB })));
    for (let m = 0; m < mibEach; m++) members.push(zeros);
  }
  members.push(gzipSync(END_OF_ARCHIVE));
  return { mediaType: GZIP_LAYER, bytes: Buffer.concat(members) };
}

/**
 * A zstd bomb: one frame (RFC 8878) of raw blocks for the tar headers and RLE blocks of zeros
 * (4 bytes on the wire for 128 KiB each).
 */
export function zstdBomb(files: number, mibEach: number): TestLayer {
  const parts: Buffer[] = [Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), Buffer.from([0x00, (20 - 10) << 3])];
  const blockHeader = (size: number, type: number, last: boolean): Buffer => {
    const value = (last ? 1 : 0) | (type << 1) | (size << 3);
    return Buffer.from([value & 0xff, (value >> 8) & 0xff, (value >> 16) & 0xff]);
  };
  const rleBlock = 128 * 1024;
  for (let i = 0; i < files; i++) {
    const header = entryHeader({ name: `bomb/${i}`, size: mibEach * MiB });
    parts.push(blockHeader(header.length, 0, false), header);
    for (let left = mibEach * MiB; left > 0; left -= rleBlock)
      parts.push(blockHeader(Math.min(rleBlock, left), 1, false), Buffer.from([0]));
  }
  parts.push(blockHeader(END_OF_ARCHIVE.length, 0, true), END_OF_ARCHIVE);
  return { mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd', bytes: Buffer.concat(parts) };
}

/**
 * An rpm SQLite database whose `Packages` is a view over a recursive CTE of 10¹² rows: 4 KB on
 * disk, days of work for whoever selects from it.
 */
export function recursiveViewRpmdb(file: string): Buffer {
  const db = new Database(file);
  db.exec(`CREATE VIEW Packages AS
    WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n LIMIT 1000000000000)
    SELECT x AS hnum, zeroblob(16) AS blob FROM n`);
  db.close();
  return readFileSync(file);
}
