/**
 * Reads header blobs out of a Berkeley DB hash database, rpm's `Packages` up to rpm 4.15, after
 * the page layouts of libdb's db_page.h (as knqyf263/go-rpmdb reads them). Pages are scanned in
 * order; every hash page holds key/value index pairs; rpm's values (header blobs) are usually
 * too large for the page and live in a chain of overflow pages. Every page number, offset and
 * length is checked, chains are followed at most once per page, and a damaged entry costs that
 * entry only.
 */

const HASH_MAGIC = 0x061561;
const PAGE_HEADER_SIZE = 26;
const P_HASH_UNSORTED = 2; // hash pages written by libdb before 4.6 (RHEL/CentOS 5)
const P_OVERFLOW = 7;
const P_HASHMETA = 8;
const P_HASH = 13;
const H_KEYDATA = 1;
const H_OFFPAGE = 3;
const HOFFPAGE_SIZE = 12;

export function isBerkeleyDbHash(data: Uint8Array): boolean {
  if (data.length < 512) return false;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return view.getUint32(12, true) === HASH_MAGIC || view.getUint32(12, false) === HASH_MAGIC;
}

interface Db {
  bytes: Uint8Array;
  view: DataView;
  little: boolean;
  pageSize: number;
  pageCount: number;
}

function u16(db: Db, at: number): number {
  return db.view.getUint16(at, db.little);
}
function u32(db: Db, at: number): number {
  return db.view.getUint32(at, db.little);
}

function openDb(bytes: Uint8Array, warn: (message: string) => void): Db | undefined {
  if (!isBerkeleyDbHash(bytes)) {
    warn('not a Berkeley DB hash database');
    return undefined;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // The database is in the byte order of the machine that wrote it; the magic says which.
  const little = view.getUint32(12, true) === HASH_MAGIC;
  const db: Db = { bytes, view, little, pageSize: 0, pageCount: 0 };
  const pageSize = u32(db, 20);
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) {
    warn(`bad page size ${pageSize}`);
    return undefined;
  }
  if (bytes[24] !== 0) {
    warn('encrypted database');
    return undefined;
  }
  if (bytes[25] !== P_HASHMETA) {
    warn(`first page is of type ${bytes[25]}, not hash metadata`);
    return undefined;
  }
  const declared = u32(db, 32) + 1;
  const present = Math.floor(bytes.length / pageSize);
  if (present < declared) warn(`truncated: ${present} of ${declared} pages present`);
  return { ...db, pageSize, pageCount: Math.min(declared, present) };
}

/** Bytes of the item at index `i` of a hash page: items are packed from the page end downwards. */
function itemBounds(db: Db, page: number, offsets: number[], i: number): [number, number] | undefined {
  const start = offsets[i];
  const end = i === 0 ? db.pageSize : offsets[i - 1];
  const indexEnd = PAGE_HEADER_SIZE + 2 * offsets.length;
  if (start < indexEnd || end > db.pageSize || start >= end) return undefined;
  return [page * db.pageSize + start, page * db.pageSize + end];
}

/** Concatenates an overflow chain of `length` bytes starting at page `first`. */
function readOverflow(db: Db, first: number, length: number): Uint8Array | string {
  if (length > db.pageCount * db.pageSize) return `overflow item of ${length} bytes is larger than the file`;
  const out = new Uint8Array(length);
  const seen = new Set<number>();
  let filled = 0;
  for (let page = first; page !== 0;) {
    if (page >= db.pageCount) return `overflow page ${page} is beyond the file`;
    if (seen.has(page)) return `overflow chain loops at page ${page}`;
    seen.add(page);
    const base = page * db.pageSize;
    if (db.bytes[base + 25] !== P_OVERFLOW) return `page ${page} is not an overflow page`;
    // On overflow pages the "high free offset" field holds the length of the data on the page.
    const onPage = u16(db, base + 22);
    if (onPage > db.pageSize - PAGE_HEADER_SIZE || filled + onPage > length) return `overflow page ${page} holds too much data`;
    out.set(db.bytes.subarray(base + PAGE_HEADER_SIZE, base + PAGE_HEADER_SIZE + onPage), filled);
    filled += onPage;
    page = u32(db, base + 16);
  }
  return filled === length ? out : `overflow chain holds ${filled} of ${length} bytes`;
}

/** The value of one key/value pair; undefined for rpm's bookkeeping record under key 0. */
function readValue(db: Db, page: number, offsets: number[], pair: number): Uint8Array | string | undefined {
  const key = itemBounds(db, page, offsets, pair * 2);
  const value = itemBounds(db, page, offsets, pair * 2 + 1);
  if (!key || !value) return 'item offsets out of range';
  const [keyStart, keyEnd] = key;
  const [start, end] = value;
  // rpm keys its headers by instance number; instance 0 holds a counter, not a header.
  if (db.bytes[keyStart] === H_KEYDATA && keyEnd - keyStart === 5 && u32(db, keyStart + 1) === 0) return undefined;
  const type = db.bytes[start];
  if (type === H_KEYDATA) return db.bytes.slice(start + 1, end);
  if (type !== H_OFFPAGE) return `value of item type ${type}, not a header`;
  if (end - start < HOFFPAGE_SIZE) return 'short off-page item';
  return readOverflow(db, u32(db, start + 4), u32(db, start + 8));
}

/** Every value (rpm header blob) of a Berkeley DB hash database; problems go to `warn`. */
export function* berkeleyDbValues(bytes: Uint8Array, warn: (message: string) => void): Generator<Uint8Array> {
  const db = openDb(bytes, warn);
  if (!db) return;
  for (let page = 1; page < db.pageCount; page++) {
    const base = page * db.pageSize;
    const type = db.bytes[base + 25];
    if (type !== P_HASH && type !== P_HASH_UNSORTED) continue;
    const entries = u16(db, base + 20);
    if (entries % 2 !== 0 || PAGE_HEADER_SIZE + 2 * entries > db.pageSize) {
      warn(`page ${page}: bad entry count ${entries}`);
      continue;
    }
    const offsets = Array.from({ length: entries }, (_, i) => u16(db, base + PAGE_HEADER_SIZE + 2 * i));
    for (let pair = 0; pair < entries / 2; pair++) {
      const value = readValue(db, page, offsets, pair);
      if (typeof value === 'string') warn(`page ${page}, pair ${pair}: ${value}`);
      else if (value) yield value;
    }
  }
}
