import { createReadStream } from 'node:fs';
import { PassThrough, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import unbzip2 from 'unbzip2-stream';
import { errorMessage } from '../errors';
import { readMagic } from './files';

/** The decompressor failed: the file is truncated or corrupt. */
export class DecompressError extends Error {}

export type Compression = 'bzip2' | 'gzip' | 'none';

/** Recognized by content, not by name: a `.bz2` that is something else must fail as such. */
export async function detectCompression(path: string, label: string): Promise<Compression> {
  const magic = await readMagic(path, 3, label);
  if (magic.length === 3 && magic.toString('latin1') === 'BZh') return 'bzip2';
  if (magic.length >= 2 && magic[0] === 0x1f && magic[1] === 0x8b) return 'gzip';
  return 'none';
}

/**
 * The file's content, decompressed as it is read. unbzip2-stream is an old-style `through`
 * stream: it is bridged into a PassThrough so the caller gets one Readable that ends with the
 * first error of the chain (a DecompressError for a truncated or corrupt archive).
 */
export function openDecompressed(path: string, compression: Compression): Readable {
  const file = createReadStream(path);
  if (compression === 'none') return file;
  const output = new PassThrough();
  const decoder = compression === 'bzip2' ? unbzip2() : createGunzip();
  file.on('error', (err) => output.destroy(err));
  decoder.on('error', (err: unknown) =>
    output.destroy(new DecompressError(`${compression} data is truncated or corrupt (${errorMessage(err)})`)),
  );
  output.on('close', () => {
    file.destroy();
    (decoder as { destroy?: () => void }).destroy?.();
  });
  file.pipe(decoder).pipe(output);
  return output;
}
