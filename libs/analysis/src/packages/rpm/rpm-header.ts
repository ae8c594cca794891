/**
 * The rpm header blob as rpm stores it in its database (rpm's `headerExport` layout, without the
 * lead and magic an .rpm file has): a big-endian index count `il` and data length `dl`, `il`
 * 16-byte entries (tag, type, offset, count), then `dl` bytes of data. Everything in it comes from
 * a file in an image we were asked to scan, so every count and offset is checked before use.
 */

/** Tags we read (rpmtag.h). */
export const RpmTag = {
  /** Region tags: the first entry of a signed (immutable) header covers the entries after it. */
  HeaderImage: 61,
  HeaderSignatures: 62,
  HeaderImmutable: 63,
  Name: 1000,
  Version: 1001,
  Release: 1002,
  Epoch: 1003,
  License: 1014,
  Arch: 1022,
  SourceRpm: 1044,
} as const;

/** Entry types (rpmtag.h `rpmTagType`). */
export const RpmType = { Int32: 4, String: 6, Bin: 7, StringArray: 8, I18nString: 9 } as const;

const ENTRY_SIZE = 16;
/** rpm's own sanity limits (header_internal.h): HEADER_TAGS_MAX and HEADER_DATA_MAX. */
const MAX_ENTRIES = 0xffff;
const MAX_DATA = 0x0fffffff;

export class RpmHeaderError extends Error {}

interface Entry {
  type: number;
  offset: number;
  count: number;
}

export interface RpmHeader {
  /** A STRING (or the first I18NSTRING) tag's value; undefined when absent. Throws on a bad entry. */
  string(tag: number): string | undefined;
  /** An INT32 tag's first value; undefined when absent. Throws on a bad entry. */
  int32(tag: number): number | undefined;
}

function isRegionTag(tag: number): boolean {
  return tag === RpmTag.HeaderImage || tag === RpmTag.HeaderSignatures || tag === RpmTag.HeaderImmutable;
}

/**
 * A region's trailer (an entry stored in the data) must point back over the entries the region
 * covers, as rpm's `hdrblobVerifyRegion` demands; a header failing that is not rpm's. The trailer
 * may carry another region tag than the entry: headers written by old rpm versions do.
 */
function checkRegion(view: DataView, dataStart: number, dl: number, il: number, region: Entry, tag: number): void {
  if (region.type !== RpmType.Bin || region.count !== ENTRY_SIZE) throw new RpmHeaderError(`region tag ${tag}: bad type or size`);
  if (region.offset < 0 || region.offset + ENTRY_SIZE > dl) throw new RpmHeaderError(`region tag ${tag}: trailer outside the data`);
  const trailer = dataStart + region.offset;
  const trailerTag = view.getInt32(trailer);
  const back = -view.getInt32(trailer + 8);
  if (!isRegionTag(trailerTag) || back % ENTRY_SIZE !== 0 || back / ENTRY_SIZE < 1 || back / ENTRY_SIZE > il) {
    throw new RpmHeaderError(`region tag ${tag}: bad trailer`);
  }
}

/** Parses and checks the index of a header blob; values are decoded on demand, each bounds-checked. */
export function parseRpmHeader(blob: Uint8Array): RpmHeader {
  if (blob.length < 8) throw new RpmHeaderError(`header of ${blob.length} bytes`);
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const il = view.getInt32(0);
  const dl = view.getInt32(4);
  if (il < 1 || il > MAX_ENTRIES) throw new RpmHeaderError(`bad index count ${il}`);
  if (dl < 0 || dl > MAX_DATA) throw new RpmHeaderError(`bad data length ${dl}`);
  const dataStart = 8 + il * ENTRY_SIZE;
  if (dataStart + dl > blob.length) throw new RpmHeaderError(`header needs ${dataStart + dl} bytes, has ${blob.length}`);

  // Entries after a region ("dribble") replace the region's copy of a tag, as in rpm's headerImport.
  const entries = new Map<number, Entry>();
  for (let i = 0; i < il; i++) {
    const at = 8 + i * ENTRY_SIZE;
    const tag = view.getInt32(at);
    const entry = { type: view.getInt32(at + 4), offset: view.getInt32(at + 8), count: view.getInt32(at + 12) };
    if (entry.offset < 0 || entry.offset > dl || entry.count < 0) throw new RpmHeaderError(`tag ${tag}: offset or count out of range`);
    if (isRegionTag(tag)) {
      if (i === 0) checkRegion(view, dataStart, dl, il, entry, tag);
      continue;
    }
    entries.set(tag, entry);
  }
  const data = blob.subarray(dataStart, dataStart + dl);
  const dataView = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const decoder = new TextDecoder('utf-8');

  return {
    string(tag: number): string | undefined {
      const entry = entries.get(tag);
      if (!entry) return undefined;
      if (entry.type !== RpmType.String && entry.type !== RpmType.I18nString && entry.type !== RpmType.StringArray) {
        throw new RpmHeaderError(`tag ${tag}: type ${entry.type} is not a string`);
      }
      const end = data.indexOf(0, entry.offset);
      if (end < 0) throw new RpmHeaderError(`tag ${tag}: string not terminated inside the data`);
      return decoder.decode(data.subarray(entry.offset, end));
    },
    int32(tag: number): number | undefined {
      const entry = entries.get(tag);
      if (!entry) return undefined;
      if (entry.type !== RpmType.Int32 || entry.count < 1) throw new RpmHeaderError(`tag ${tag}: not an INT32`);
      if (entry.offset + 4 > dl) throw new RpmHeaderError(`tag ${tag}: value outside the data`);
      return dataView.getUint32(entry.offset);
    },
  };
}
