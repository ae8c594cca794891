/**
 * The build info block the Go linker (1.13+) writes into every binary: a 32-byte header starting
 * with this magic, 16-byte aligned, in the binary's data. Layout from Go's debug/buildinfo.
 */
export const BUILDINFO_MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');
export const BUILDINFO_HEADER_SIZE = 32;
export const BUILDINFO_ALIGN = 16;

const FLAG_BIG_ENDIAN = 0x1;
/** Go 1.18+: version and modinfo follow the header inline instead of being pointed at. */
const FLAG_INLINE = 0x2;

export interface BuildInfoHeader {
  ptrSize: 4 | 8;
  bigEndian: boolean;
  inline: boolean;
}

/** The header at `buf[0..32)`, or undefined when the bytes only look like one. */
export function parseBuildInfoHeader(buf: Buffer): BuildInfoHeader | undefined {
  if (buf.length < BUILDINFO_HEADER_SIZE || !buf.subarray(0, BUILDINFO_MAGIC.length).equals(BUILDINFO_MAGIC)) return undefined;
  const ptrSize = buf[14];
  const flags = buf[15];
  if ((ptrSize !== 4 && ptrSize !== 8) || (flags & ~(FLAG_BIG_ENDIAN | FLAG_INLINE)) !== 0) return undefined;
  return { ptrSize, bigEndian: (flags & FLAG_BIG_ENDIAN) !== 0, inline: (flags & FLAG_INLINE) !== 0 };
}

export type InlineStrings =
  { kind: 'need-more' } | { kind: 'invalid'; reason: string } | { kind: 'found'; goVersion: string; rawModinfo: string };

export interface InlineLimits {
  maxVersionBytes: number;
  maxModinfoBytes: number;
}

/**
 * The two uvarint-length-prefixed strings after an inline header (`buf` starts at the magic).
 * `need-more` until `buf` holds both; `invalid` for a magic that is not a real header (the
 * debug/buildinfo package itself carries the magic as a constant).
 */
export function parseInlineStrings(buf: Buffer, limits: InlineLimits): InlineStrings {
  const version = readLengthPrefixed(buf, BUILDINFO_HEADER_SIZE, limits.maxVersionBytes);
  if (version.kind !== 'found') return version;
  const modinfo = readLengthPrefixed(buf, version.end, limits.maxModinfoBytes);
  if (modinfo.kind !== 'found') return modinfo;
  const goVersion = version.value.toString('utf8');
  if (!/^(?:go\d|devel )/.test(goVersion)) return { kind: 'invalid', reason: `unexpected Go version ${JSON.stringify(goVersion)}` };
  return { kind: 'found', goVersion, rawModinfo: modinfo.value.toString('utf8') };
}

type LengthPrefixed = { kind: 'need-more' } | { kind: 'invalid'; reason: string } | { kind: 'found'; value: Buffer; end: number };

function readLengthPrefixed(buf: Buffer, at: number, max: number): LengthPrefixed {
  const length = readUvarint(buf, at);
  if (length === 'need-more') return { kind: 'need-more' };
  if (length === undefined) return { kind: 'invalid', reason: 'bad string length' };
  if (length.value > max) return { kind: 'invalid', reason: `a ${length.value}-byte string is over the ${max}-byte limit` };
  const end = at + length.size + length.value;
  if (buf.length < end) return { kind: 'need-more' };
  return { kind: 'found', value: buf.subarray(at + length.size, end), end };
}

/** encoding/binary.Uvarint, bounded to what a JS number holds exactly. */
export function readUvarint(buf: Buffer, at: number): { value: number; size: number } | 'need-more' | undefined {
  let value = 0;
  for (let i = 0; i < 8; i++) {
    if (at + i >= buf.length) return 'need-more';
    const byte = buf[at + i];
    value += (byte & 0x7f) * 2 ** (7 * i);
    if (byte < 0x80) return { value, size: i + 1 };
  }
  return undefined;
}
