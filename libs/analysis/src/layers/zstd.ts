import { Decompress } from 'fzstd';
import { errorMessage, layerCorrupt, limitExceeded } from './limits';

/**
 * zstd's own decoders refuse windows over 2^27 bytes unless told otherwise (ZSTD_WINDOWLOG_LIMIT_DEFAULT);
 * fzstd would allocate whatever a frame header claims, up to 2 GiB, from a 20-byte header.
 */
export const MAX_ZSTD_WINDOW = 2 ** 27;

/**
 * fzstd decodes synchronously whatever one push completes, so input goes in small slices: a zstd
 * RLE block turns 4 bytes into 128 KiB, and a 512-byte slice bounds one step's output to ~16 MiB.
 */
const SLICE = 512;

/** Decompresses a zstd stream (any number of frames, skippable frames included), streamed. */
export async function* unzstd(input: AsyncIterable<Buffer>, label: string): AsyncGenerator<Buffer> {
  const frames = new FrameGuard(label);
  const ready: Buffer[] = [];
  // Copied: fzstd hands out views of its window, which later blocks overwrite.
  const decoder = new Decompress((chunk) => {
    if (chunk.length > 0) ready.push(Buffer.from(chunk));
  });
  const push = (slice: Uint8Array, final: boolean): void => {
    try {
      decoder.push(slice, final);
    } catch (err) {
      throw layerCorrupt(label, `zstd: ${errorMessage(err)}`);
    }
  };
  for await (const chunk of input) {
    for (let offset = 0; offset < chunk.length; offset += SLICE) {
      const slice = chunk.subarray(offset, offset + SLICE);
      // The guard sees every byte before the decoder does, so no frame header reaches fzstd unchecked.
      frames.scan(slice);
      push(slice, false);
      while (ready.length > 0) yield ready.shift() as Buffer;
    }
  }
  frames.end();
  push(new Uint8Array(0), true);
  while (ready.length > 0) yield ready.shift() as Buffer;
}

type Field = 'magic' | 'descriptor' | 'header' | 'block' | 'skippable-size';

/**
 * Walks the frame and block headers of a zstd stream without decoding (RFC 8878 §3.1): enough to
 * refuse an oversized window before the decoder allocates it, and to spot garbage between frames.
 */
class FrameGuard {
  private field: Field = 'magic';
  private readonly bytes: number[] = [];
  private need = 4;
  private skip = 0;
  private headerFlags = 0;
  private checksum = false;

  constructor(private readonly label: string) {}

  scan(data: Uint8Array): void {
    let i = 0;
    while (i < data.length) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, data.length - i);
        this.skip -= n;
        i += n;
        continue;
      }
      this.bytes.push(data[i++]);
      if (this.bytes.length === this.need) this.completeField();
    }
  }

  end(): void {
    if (this.field !== 'magic' || this.bytes.length > 0 || this.skip > 0)
      throw layerCorrupt(this.label, 'zstd: stream truncated inside a frame');
  }

  private next(field: Field, need: number, skip = 0): void {
    this.field = field;
    this.need = need;
    this.skip = skip;
    this.bytes.length = 0;
  }

  private completeField(): void {
    const b = this.bytes;
    switch (this.field) {
      case 'magic':
        if (b[0] === 0x28 && b[1] === 0xb5 && b[2] === 0x2f && b[3] === 0xfd) return this.next('descriptor', 1);
        if ((b[0] & 0xf0) === 0x50 && b[1] === 0x2a && b[2] === 0x4d && b[3] === 0x18) return this.next('skippable-size', 4);
        throw layerCorrupt(this.label, 'zstd: bytes between frames are not a frame');
      case 'skippable-size':
        return this.next('magic', 4, le(b, 0, 4));
      case 'descriptor': {
        const flags = b[0];
        if (flags & 0x08) throw layerCorrupt(this.label, 'zstd: reserved frame header bit set');
        const singleSegment = (flags >> 5) & 1;
        const sizeField = flags >> 6;
        const dictionaryBytes = [0, 1, 2, 4][flags & 3];
        const contentSizeBytes = sizeField === 0 ? singleSegment : 1 << sizeField;
        this.headerFlags = flags;
        this.checksum = ((flags >> 2) & 1) === 1;
        const rest = (singleSegment ? 0 : 1) + dictionaryBytes + contentSizeBytes;
        if (rest === 0) return this.next('block', 3);
        return this.next('header', rest);
      }
      case 'header':
        this.checkWindow();
        return this.next('block', 3);
      case 'block': {
        const header = le(b, 0, 3);
        const last = header & 1;
        const type = (header >> 1) & 3;
        const size = header >>> 3;
        if (type === 3) throw layerCorrupt(this.label, 'zstd: reserved block type');
        const body = type === 1 ? 1 : size;
        if (last) {
          // The 4-byte checksum, if any, is skipped together with the last block's body.
          return this.next('magic', 4, body + (this.checksum ? 4 : 0));
        }
        return this.next('block', 3, body);
      }
    }
  }

  private checkWindow(): void {
    const flags = this.headerFlags;
    const b = this.bytes;
    const singleSegment = (flags >> 5) & 1;
    let window: number;
    if (singleSegment) {
      // A single-segment frame's window is its whole content size, which follows the dictionary id.
      const sizeField = flags >> 6;
      const offset = [0, 1, 2, 4][flags & 3];
      const width = sizeField === 0 ? 1 : 1 << sizeField;
      window = le(b, offset, width) + (sizeField === 1 ? 256 : 0);
    } else {
      const exponent = 10 + (b[0] >> 3);
      const base = 2 ** exponent;
      window = base + (base / 8) * (b[0] & 7);
    }
    if (window > MAX_ZSTD_WINDOW)
      throw limitExceeded('the zstd window limit', this.label, `a zstd window of ${window} bytes (${MAX_ZSTD_WINDOW} at most)`);
  }
}

/** A little-endian unsigned integer; 8-byte sizes past 2^53 lose precision, which only makes them larger. */
function le(bytes: number[], offset: number, width: number): number {
  let value = 0;
  for (let i = width - 1; i >= 0; i--) value = value * 256 + bytes[offset + i];
  return value;
}
