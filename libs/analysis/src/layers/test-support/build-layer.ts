import { spawnSync } from 'node:child_process';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { pack, type Header } from 'tar-stream';
import type { ImageLayer } from '../analyze-image';

export type EntrySpec = Partial<Header> & { name: string; content?: string | Buffer };

/** A tar archive with exactly these entries, in this order. */
export async function tarOf(entries: EntrySpec[]): Promise<Buffer> {
  const archive = pack();
  for (const { content, ...header } of entries) {
    if (content !== undefined) archive.entry({ mode: 0o644, ...header }, content);
    else archive.entry({ mode: header.type === 'directory' ? 0o755 : 0o644, ...header });
  }
  archive.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of archive) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export const MEDIA = {
  tar: 'application/vnd.oci.image.layer.v1.tar',
  gzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  zstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  dockerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
};

/** An in-memory layer, streamed in small chunks so parsers meet headers split across reads. */
export function layerOf(blob: Buffer, mediaType: string, digest = `sha256:test-${blob.length}`): ImageLayer {
  return { digest, mediaType, open: async () => Readable.from(chunked(blob, 1000)) };
}

export async function gzipLayer(entries: EntrySpec[], digest?: string): Promise<ImageLayer> {
  return layerOf(gzipSync(await tarOf(entries)), MEDIA.gzip, digest);
}

export function chunked(data: Buffer, size: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < data.length; offset += size) chunks.push(data.subarray(offset, offset + size));
  return chunks;
}

export const zstdCliAvailable = spawnSync('zstd', ['--version']).status === 0;

/** Real zstd compression through the CLI; `--long` windows and levels as asked. */
export function zstdCli(data: Buffer, args: string[] = []): Buffer {
  const run = spawnSync('zstd', ['-q', '-c', ...args], { input: data, maxBuffer: 1 << 30 });
  if (run.status !== 0) throw new Error(`zstd failed: ${run.stderr.toString()}`);
  return run.stdout;
}

/**
 * A zstd frame built by hand from raw and RLE blocks (RFC 8878), so zstd is tested without any
 * compressor: `[data, 'raw']` copies bytes, `[byte, 'rle', n]` repeats one byte n times.
 */
export function zstdFrame(blocks: ([Buffer, 'raw'] | [number, 'rle', number])[], windowLog = 20): Buffer {
  const parts: Buffer[] = [Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), Buffer.from([0x00, (windowLog - 10) << 3])];
  blocks.forEach((block, i) => {
    const last = i === blocks.length - 1 ? 1 : 0;
    const header = (size: number, type: number): Buffer => {
      const value = last | (type << 1) | (size << 3);
      return Buffer.from([value & 0xff, (value >> 8) & 0xff, (value >> 16) & 0xff]);
    };
    if (block[1] === 'raw') parts.push(header(block[0].length, 0), block[0]);
    else parts.push(header(block[2], 1), Buffer.from([block[0]]));
  });
  return Buffer.concat(parts);
}

/** A skippable frame: zstd decoders must pass over it. */
export function zstdSkippable(payload: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeUInt32LE(payload.length);
  return Buffer.concat([Buffer.from([0x50, 0x2a, 0x4d, 0x18]), size, payload]);
}
