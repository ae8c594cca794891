import { Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { ScanError } from '@vulnscan/contracts';
import { errorMessage, layerCorrupt, limitExceeded } from './limits';
import { unzstd } from './zstd';

export type Compression = 'gzip' | 'zstd' | 'none';

/** What the manifest's media type claims; undefined for a type we do not know (the bytes decide). */
export function compressionOfMediaType(mediaType: string): Compression | undefined {
  if (mediaType.endsWith('+gzip') || mediaType.endsWith('.tar.gzip')) return 'gzip';
  if (mediaType.endsWith('+zstd')) return 'zstd';
  if (mediaType.endsWith('.tar')) return 'none';
  return undefined;
}

/** What the first bytes say: gzip 1f8b, a zstd frame 28b52ffd or a skippable frame 5?2a4d18; else a plain tar. */
export function compressionOfBytes(head: Uint8Array): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  if (head.length >= 4 && (head[0] & 0xf0) === 0x50 && head[1] === 0x2a && head[2] === 0x4d && head[3] === 0x18) return 'zstd';
  return 'none';
}

/**
 * An error of the blob stream itself (the registry connection, the cache): passed on as it is, never
 * reported as a corrupt layer, so the scan fails with the transport's own code.
 */
export class BlobReadError extends Error {
  constructor(readonly original: unknown) {
    super(errorMessage(original));
  }
}

export interface DecompressContext {
  /** Names the layer in messages: `layer 2 (sha256:…)`. */
  label: string;
  maxLayerBytes: number;
  warn(message: string): void;
}

/**
 * The uncompressed tar bytes of a layer blob, streamed: nothing goes to disk, and no more than
 * `maxLayerBytes` are ever produced, which bounds a decompression bomb. The codec comes from the
 * first bytes; a media type that disagrees is recorded as a warning, because a registry's label is
 * less reliable than the content.
 */
export async function* layerTarBytes(blob: AsyncIterable<Uint8Array>, mediaType: string, ctx: DecompressContext): AsyncGenerator<Buffer> {
  const source = guarded(blob)[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let headBytes = 0;
  while (headBytes < 4) {
    const step = await source.next();
    if (step.done) break;
    head.push(step.value);
    headBytes += step.value.length;
  }
  const actual = compressionOfBytes(Buffer.concat(head));
  const declared = compressionOfMediaType(mediaType);
  if (declared === undefined) ctx.warn(`${ctx.label}: unknown media type ${mediaType}; content looks ${describe(actual)}`);
  else if (declared !== actual)
    ctx.warn(
      `${ctx.label}: media type ${mediaType} says ${describe(declared)} but the content is ${describe(actual)}; trusting the content`,
    );

  const input = replay(head, source);
  const decoded = actual === 'gzip' ? gunzip(input, ctx.label) : actual === 'zstd' ? unzstd(input, ctx.label) : input;
  let total = 0;
  for await (const chunk of decoded) {
    total += chunk.length;
    if (total > ctx.maxLayerBytes) throw limitExceeded('maxLayerBytes', ctx.label, `uncompressed size over ${ctx.maxLayerBytes} bytes`);
    yield chunk;
  }
}

function describe(compression: Compression): string {
  return compression === 'none' ? 'an uncompressed tar' : compression;
}

async function* guarded(blob: AsyncIterable<Uint8Array>): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of blob) yield Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
  } catch (err) {
    throw new BlobReadError(err);
  }
}

async function* replay(head: Buffer[], rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  try {
    yield* head;
    for (let step = await rest.next(); !step.done; step = await rest.next()) yield step.value;
  } finally {
    // Ends the blob stream when a consumer stops early (a limit, a corrupt block, a cancel).
    await rest.return?.();
  }
}

function passesThrough(err: unknown): boolean {
  return err instanceof BlobReadError || err instanceof ScanError;
}

async function* gunzip(input: AsyncIterable<Buffer>, label: string): AsyncGenerator<Buffer> {
  // zlib honours backpressure, so a bomb is inflated only as fast as the limit check reads it.
  const inflater = createGunzip();
  pipeline(Readable.from(input, { objectMode: false }), inflater, () => undefined);
  try {
    for await (const chunk of inflater) yield chunk as Buffer;
  } catch (err) {
    if (passesThrough(err)) throw err;
    throw layerCorrupt(label, `gzip: ${errorMessage(err)}`);
  } finally {
    inflater.destroy();
  }
}
