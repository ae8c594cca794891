import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { pack } from 'tar-stream';
import type { TestRegistry } from './start-registry';

export interface TestLayer {
  mediaType: string;
  /** The blob exactly as it is pushed: compressed or not, valid or deliberately broken. */
  bytes: Buffer;
}

/** A layer blob in a file, streamed when pushed (benchmarks push hundreds of megabytes). */
export interface TestLayerFile {
  mediaType: string;
  file: string;
}

export interface TestFile {
  name: string;
  /** Content, or a size to fill with zeros (streamed, so a large one costs no memory). */
  content: string | Buffer | { zeros: number };
  /** Permission bits; 0o644 unless given (executables need 0o755 to be seen as such). */
  mode?: number;
}

export const GZIP_LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';
export const TAR_LAYER = 'application/vnd.oci.image.layer.v1.tar';

/**
 * A gzip-compressed tar layer holding `files`. A `{ zeros: n }` file is streamed through the
 * compressor, so a gzip bomb (gigabytes of zeros in a few megabytes) is cheap to make.
 */
export async function gzipTarLayer(files: TestFile[]): Promise<TestLayer> {
  const tar = pack();
  const gzip = createGzip({ level: 9 });
  const chunks: Buffer[] = [];
  gzip.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<void>((resolve, reject) => {
    gzip.on('end', resolve);
    gzip.on('error', reject);
    tar.on('error', reject);
  });
  tar.pipe(gzip);
  for (const file of files) {
    const { content } = file;
    if (typeof content === 'string' || Buffer.isBuffer(content)) {
      tar.entry({ name: file.name, mode: file.mode ?? 0o644 }, content);
      continue;
    }
    const entry = tar.entry({ name: file.name, mode: file.mode ?? 0o644, size: content.zeros });
    const block = Buffer.alloc(1 << 20);
    for (let left = content.zeros; left > 0; left -= block.length) {
      const piece = left >= block.length ? block : block.subarray(0, left);
      if (!entry.write(piece)) await new Promise<void>((resolve) => entry.once('drain', () => resolve()));
    }
    await new Promise<void>((resolve, reject) => entry.end((err?: Error | null) => (err ? reject(err) : resolve())));
  }
  tar.finalize();
  await done;
  return { mediaType: GZIP_LAYER, bytes: Buffer.concat(chunks) };
}

const sha256 = (bytes: Buffer): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/**
 * Pushes an OCI image made of `layers` (and a minimal linux/amd64 config) straight through the
 * Distribution API, byte for byte: unlike skopeo, nothing is recompressed or checked, so broken
 * layers reach the registry as they are. Returns the manifest digest.
 */
export async function pushLayers(
  registry: TestRegistry,
  repository: string,
  tag: string,
  layers: Array<TestLayer | TestLayerFile>,
): Promise<string> {
  const descriptors = [];
  for (const layer of layers) {
    const blob = 'bytes' in layer ? layer.bytes : { file: layer.file, ...(await digestOfFile(layer.file)) };
    descriptors.push({ mediaType: layer.mediaType, ...(await pushBlob(registry, repository, blob)) });
  }
  // The config's diff_ids should be the uncompressed digests; nothing we test reads them.
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: descriptors.map((d) => d.digest) },
      config: {},
    }),
  );
  await pushBlob(registry, repository, config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
      layers: descriptors,
    }),
  );
  const put = await fetch(`${registry.url}/v2/${repository}/manifests/${tag}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
    body: manifest,
  });
  if (put.status !== 201) throw new Error(`manifest PUT ${repository}:${tag}: ${put.status} ${await put.text()}`);
  return sha256(manifest);
}

async function digestOfFile(file: string): Promise<{ digest: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { digest: `sha256:${hash.digest('hex')}`, size };
}

type Blob = Buffer | { file: string; digest: string; size: number };

async function pushBlob(registry: TestRegistry, repository: string, blob: Blob): Promise<{ digest: string; size: number }> {
  const { digest, size } = Buffer.isBuffer(blob) ? { digest: sha256(blob), size: blob.length } : blob;
  const start = await fetch(`${registry.url}/v2/${repository}/blobs/uploads/`, { method: 'POST' });
  if (start.status !== 202) throw new Error(`blob upload to ${repository}: ${start.status} ${await start.text()}`);
  const location = new URL(start.headers.get('location')!, registry.url);
  location.searchParams.set('digest', digest);
  const body = Buffer.isBuffer(blob) ? blob : (Readable.toWeb(createReadStream(blob.file)) as ReadableStream<Uint8Array>);
  const put = await fetch(location, {
    method: 'PUT',
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) },
    body,
    duplex: 'half',
  } as RequestInit);
  if (put.status !== 201) throw new Error(`blob PUT to ${repository}: ${put.status} ${await put.text()}`);
  return { digest, size };
}
