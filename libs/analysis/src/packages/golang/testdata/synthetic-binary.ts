/**
 * Go binaries written byte by byte, for what a real build on this machine cannot produce: modules
 * with dependencies (no module downloads here) and the Go 1.13–1.17 pointer format (the
 * installed toolchain is newer). Layouts follow Go's cmd/link and debug/buildinfo.
 */

const MAGIC = Buffer.from('\xff Go buildinf:', 'latin1');
const SENTINEL_START = Buffer.from('3077af0c9274080241e1c107e6d618e6', 'hex');
const SENTINEL_END = Buffer.from('f932433186182072008242104116d8f2', 'hex');

/** modinfo as the linker embeds it, between its two sentinels. */
export function wrapModinfo(text: string): Buffer {
  return Buffer.concat([SENTINEL_START, Buffer.from(text), SENTINEL_END]);
}

function uvarint(n: number): Buffer {
  const bytes: number[] = [];
  while (n >= 0x80) {
    bytes.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 128);
  }
  bytes.push(n);
  return Buffer.from(bytes);
}

/** Go 1.18+ inline build info: header then two length-prefixed strings. */
export function inlineBuildInfo(goVersion: string, modinfo: Buffer): Buffer {
  const header = Buffer.alloc(32);
  MAGIC.copy(header);
  header[14] = 8;
  header[15] = 2;
  return Buffer.concat([header, uvarint(goVersion.length), Buffer.from(goVersion), uvarint(modinfo.length), modinfo]);
}

/** Something ELF-looking with inline build info at `offset` (16-aligned) and filler around it. */
export function inlineBinary(goVersion: string, modinfoText: string, offset = 0x2000, tail = 0x3000): Buffer {
  const info = inlineBuildInfo(goVersion, wrapModinfo(modinfoText));
  const out = Buffer.alloc(offset + info.length + tail, 0x90);
  Buffer.from('7f454c46020101', 'hex').copy(out);
  info.copy(out, offset);
  return out;
}

export interface PointerBinaryOptions {
  is64: boolean;
  bigEndian: boolean;
  goVersion: string;
  modinfo: Buffer;
}

const VADDR = 0x400000;

/**
 * A minimal ELF with one PT_LOAD segment mapping the whole file at 0x400000, a Go build ID note,
 * the strings at 0x200, their Go string headers at 0x1040 and the pointer-format build info at
 * 0x1000, pointing at those headers by virtual address.
 */
export function pointerElf({ is64, bigEndian, goVersion, modinfo }: PointerBinaryOptions): Buffer {
  const ptr = is64 ? 8 : 4;
  const size = 0x1100;
  const out = Buffer.alloc(size);
  const u16 = (v: number, at: number) => (bigEndian ? out.writeUInt16BE(v, at) : out.writeUInt16LE(v, at));
  const u32 = (v: number, at: number) => (bigEndian ? out.writeUInt32BE(v, at) : out.writeUInt32LE(v, at));
  const word = (v: number, at: number) =>
    is64 ? (bigEndian ? out.writeBigUInt64BE(BigInt(v), at) : out.writeBigUInt64LE(BigInt(v), at)) : u32(v, at);

  Buffer.from([0x7f, 0x45, 0x4c, 0x46, is64 ? 2 : 1, bigEndian ? 2 : 1, 1]).copy(out);
  u16(2, 16); // ET_EXEC
  const ehsize = is64 ? 64 : 52;
  word(ehsize, is64 ? 32 : 28); // e_phoff
  u16(is64 ? 56 : 32, is64 ? 54 : 42); // e_phentsize
  u16(1, is64 ? 56 : 44); // e_phnum
  const ph = ehsize;
  u32(1, ph); // PT_LOAD
  if (is64) {
    word(0, ph + 8);
    word(VADDR, ph + 16);
    word(size, ph + 32);
  } else {
    word(0, ph + 4);
    word(VADDR, ph + 8);
    word(size, ph + 16);
  }
  // .note.go.buildid
  u32(4, 0x100);
  u32(8, 0x104);
  u32(4, 0x108);
  Buffer.from('Go\0\0buildid!', 'latin1').copy(out, 0x10c);
  // the strings, then their Go string headers {data, len}
  const versionAt = 0x200;
  const modinfoAt = 0x280;
  Buffer.from(goVersion).copy(out, versionAt);
  modinfo.copy(out, modinfoAt);
  word(VADDR + versionAt, 0x1040);
  word(goVersion.length, 0x1040 + ptr);
  word(VADDR + modinfoAt, 0x1060);
  word(modinfo.length, 0x1060 + ptr);
  // the build info header
  MAGIC.copy(out, 0x1000);
  out[0x1000 + 14] = ptr;
  out[0x1000 + 15] = bigEndian ? 1 : 0;
  word(VADDR + 0x1040, 0x1000 + 16);
  word(VADDR + 0x1060, 0x1000 + 16 + ptr);
  return out;
}
