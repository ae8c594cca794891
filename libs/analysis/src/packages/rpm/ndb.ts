/**
 * Reads header blobs out of rpm's "ndb" database (`Packages.db`, SUSE's default since rpm 4.16),
 * after rpm's lib/backend/ndb/rpmpkg.c (as knqyf263/go-rpmdb reads it): a 32-byte header, slot
 * pages of 16-byte slots (magic, package index, block offset, block count), and per package a
 * 16-byte blob header followed by the header blob, at block offset × 16. All little-endian.
 */

const fourCC = (s: string): number => s.charCodeAt(0) | (s.charCodeAt(1) << 8) | (s.charCodeAt(2) << 16) | (s.charCodeAt(3) << 24);
const HEADER_MAGIC = fourCC('RpmP');
const SLOT_MAGIC = fourCC('Slot');
const BLOB_MAGIC = fourCC('BlbS');
const SLOT_PAGE_SIZE = 4096;
const SLOT_SIZE = 16;
const BLOCK_SIZE = 16;
const BLOB_HEADER_SIZE = 16;
/** rpmpkg.c refuses more; it also keeps a hostile file from making us walk gigabytes of slots. */
const MAX_SLOT_PAGES = 2048;

export function isNdb(data: Uint8Array): boolean {
  return data.length >= 32 && new DataView(data.buffer, data.byteOffset, data.byteLength).getInt32(0, true) === HEADER_MAGIC;
}

/** Every header blob of an ndb `Packages.db`; problems go to `warn`. */
export function* ndbBlobs(bytes: Uint8Array, warn: (message: string) => void): Generator<Uint8Array> {
  if (!isNdb(bytes)) {
    warn('not an rpm ndb database');
    return;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(4, true);
  const slotPages = view.getUint32(12, true);
  if (version !== 0) {
    warn(`unsupported ndb version ${version}`);
    return;
  }
  if (slotPages === 0 || slotPages > MAX_SLOT_PAGES) {
    warn(`bad slot page count ${slotPages}`);
    return;
  }
  let slotsEnd = slotPages * SLOT_PAGE_SIZE;
  if (slotsEnd > bytes.length) {
    warn(`truncated: slot pages end at ${slotsEnd}, file at ${bytes.length}`);
    slotsEnd = bytes.length - (bytes.length % SLOT_SIZE);
  }
  // The 32-byte database header takes the place of the first two slots.
  for (let at = 2 * SLOT_SIZE; at + SLOT_SIZE <= slotsEnd; at += SLOT_SIZE) {
    if (view.getInt32(at, true) !== SLOT_MAGIC) {
      warn(`bad slot magic at ${at}; the slot table is damaged`);
      return;
    }
    const pkgIndex = view.getUint32(at + 4, true);
    if (pkgIndex === 0) continue; // a free slot
    const blob = readBlob(view, bytes, pkgIndex, view.getUint32(at + 8, true), view.getUint32(at + 12, true));
    if (typeof blob === 'string') warn(`package ${pkgIndex}: ${blob}`);
    else yield blob;
  }
}

function readBlob(view: DataView, bytes: Uint8Array, pkgIndex: number, blockOffset: number, blockCount: number): Uint8Array | string {
  const start = blockOffset * BLOCK_SIZE;
  const blockEnd = start + blockCount * BLOCK_SIZE;
  if (start + BLOB_HEADER_SIZE > bytes.length) return `blob at ${start} is beyond the file`;
  if (view.getInt32(start, true) !== BLOB_MAGIC) return `bad blob magic at ${start}`;
  if (view.getUint32(start + 4, true) !== pkgIndex) return `blob at ${start} belongs to package ${view.getUint32(start + 4, true)}`;
  const length = view.getUint32(start + 12, true);
  const end = start + BLOB_HEADER_SIZE + length;
  if (end > blockEnd || end > bytes.length) return `blob of ${length} bytes overruns its blocks or the file`;
  return bytes.subarray(start + BLOB_HEADER_SIZE, end);
}
