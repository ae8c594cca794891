import type { InlineLimits } from './buildinfo-header';
import type { PointerCandidate } from './buildinfo-scanner';

/** Reads `length` bytes at `offset` of the binary (fewer at its end). */
export type ReadAt = (offset: number, length: number) => Promise<Buffer>;

interface LoadSegment {
  vaddr: bigint;
  offset: bigint;
  filesz: bigint;
}

const PT_LOAD = 1;
/** A real ELF has a handful of program headers; a corrupt count must not make us read megabytes. */
const MAX_PROGRAM_HEADERS = 4096;

/**
 * The PT_LOAD segments of an ELF binary: how virtual addresses map to file offsets, which is all
 * that following a Go 1.13–1.17 build info pointer needs (Go's debug/buildinfo does the same).
 */
export async function elfLoadSegments(readAt: ReadAt): Promise<LoadSegment[] | string> {
  const ident = await readAt(0, 64);
  if (ident.length < 52 || ident.readUInt32BE(0) !== 0x7f454c46) return 'not an ELF file';
  const is64 = ident[4] === 2;
  const big = ident[5] === 2;
  if (!(ident[4] === 1 || is64) || !(ident[5] === 1 || big)) return 'unknown ELF class or byte order';
  const u16 = (b: Buffer, at: number): number => (big ? b.readUInt16BE(at) : b.readUInt16LE(at));
  const word = (b: Buffer, at: number): bigint =>
    is64 ? (big ? b.readBigUInt64BE(at) : b.readBigUInt64LE(at)) : BigInt(big ? b.readUInt32BE(at) : b.readUInt32LE(at));
  const phoff = word(ident, is64 ? 32 : 28);
  const phentsize = u16(ident, is64 ? 54 : 42);
  const phnum = u16(ident, is64 ? 56 : 44);
  if (phnum > MAX_PROGRAM_HEADERS || phentsize < (is64 ? 56 : 32)) return 'implausible ELF program header table';
  const table = await readAt(Number(phoff), phentsize * phnum);
  const segments: LoadSegment[] = [];
  for (let i = 0; i < phnum && (i + 1) * phentsize <= table.length; i++) {
    const ph = table.subarray(i * phentsize);
    const type = big ? ph.readUInt32BE(0) : ph.readUInt32LE(0);
    if (type !== PT_LOAD) continue;
    segments.push(
      is64
        ? { offset: word(ph, 8), vaddr: word(ph, 16), filesz: word(ph, 32) }
        : { offset: word(ph, 4), vaddr: word(ph, 8), filesz: word(ph, 16) },
    );
  }
  return segments;
}

/**
 * Go 1.13–1.17 build info: the header holds the addresses of two Go string headers
 * (`runtime.buildVersion`, `runtime.modinfo`), each a {data pointer, length} pair.
 */
export async function readPointerBuildInfo(
  readAt: ReadAt,
  candidate: PointerCandidate,
  limits: InlineLimits,
): Promise<{ goVersion: string; rawModinfo: string } | string> {
  const segments = await elfLoadSegments(readAt);
  if (typeof segments === 'string') return segments;
  const { ptrSize, bigEndian } = candidate.header;
  const pointer = (b: Buffer, at: number): bigint =>
    ptrSize === 8
      ? bigEndian
        ? b.readBigUInt64BE(at)
        : b.readBigUInt64LE(at)
      : BigInt(bigEndian ? b.readUInt32BE(at) : b.readUInt32LE(at));

  const readAddress = async (address: bigint, length: number): Promise<Buffer | undefined> => {
    const segment = segments.find((s) => s.vaddr <= address && address < s.vaddr + s.filesz);
    if (!segment || address + BigInt(length) > segment.vaddr + segment.filesz) return undefined;
    const data = await readAt(Number(segment.offset + (address - segment.vaddr)), length);
    return data.length === length ? data : undefined;
  };
  const readGoString = async (address: bigint, max: number): Promise<string | undefined> => {
    const header = await readAddress(address, 2 * ptrSize);
    if (!header) return undefined;
    const length = pointer(header, ptrSize);
    if (length > BigInt(max)) return undefined;
    if (length === 0n) return '';
    return (await readAddress(pointer(header, 0), Number(length)))?.toString('utf8');
  };

  const goVersion = await readGoString(pointer(candidate.bytes, 16), limits.maxVersionBytes);
  if (!goVersion || !/^(?:go\d|devel )/.test(goVersion)) return `build info at offset ${candidate.offset} does not point at a Go version`;
  const rawModinfo = await readGoString(pointer(candidate.bytes, 16 + ptrSize), limits.maxModinfoBytes);
  if (rawModinfo === undefined) return `build info at offset ${candidate.offset}: unreadable module information`;
  return { goVersion, rawModinfo };
}
