import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { extract } from 'tar-stream';
import type { ImageLayer } from '../analyze-image';

/** The layers of a `docker save` archive (gzipped or not), in manifest order. Test fixtures only: it buffers. */
export async function dockerSaveLayers(file: string): Promise<ImageLayer[]> {
  let archive = await readFile(file);
  if (archive[0] === 0x1f && archive[1] === 0x8b) archive = gunzipSync(archive);
  const files = new Map<string, Buffer>();
  const parser = extract();
  Readable.from([archive]).pipe(parser);
  for await (const entry of parser) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry) chunks.push(chunk as Buffer);
    files.set(entry.header.name, Buffer.concat(chunks));
  }
  const manifest = files.get('manifest.json');
  // An archive without a manifest (the empty fixture) is an image without layers.
  if (!manifest) return [];
  const [image] = JSON.parse(manifest.toString('utf8')) as { Layers: string[] }[];
  return image.Layers.map((name) => {
    const blob = files.get(name);
    if (!blob) throw new Error(`${file}: manifest names ${name}, which the archive lacks`);
    return {
      digest: `sha256:${createHash('sha256').update(blob).digest('hex')}`,
      mediaType: 'application/vnd.docker.image.rootfs.diff.tar',
      open: async () => Readable.from([blob]),
    };
  });
}
