import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { isDigest } from '@vulnscan/image-reference';
import type { BlobStore, ByteRange, Spool } from './blob-store';

/**
 * Blobs as files under `<root>/blobs/<algorithm>/<2 hex>/<hex>`. Downloads spool to
 * `<root>/spool/`, on the same filesystem, and are renamed into place once verified: rename is
 * atomic, so a blob file is either absent or complete, even across a crash.
 */
export class FsBlobStore implements BlobStore {
  private readonly blobsDir: string;
  private readonly spoolDir: string;

  constructor(root: string) {
    const absolute = path.resolve(root);
    this.blobsDir = path.join(absolute, 'blobs');
    this.spoolDir = path.join(absolute, 'spool');
  }

  /** Creates the directories and removes spool files a crashed process left behind. */
  async init(staleAfterMs = 24 * 3600 * 1000): Promise<void> {
    await mkdir(this.blobsDir, { recursive: true });
    await mkdir(this.spoolDir, { recursive: true });
    // Other processes may share the directory: only spools too old to be anyone's download go.
    const now = Date.now();
    for (const name of await readdir(this.spoolDir)) {
      const file = path.join(this.spoolDir, name);
      const info = await stat(file).catch(() => undefined);
      if (info && now - info.mtimeMs > staleAfterMs) await rm(file, { force: true });
    }
  }

  async stat(digest: string): Promise<{ size: number } | undefined> {
    try {
      const info = await stat(this.pathOf(digest));
      return info.isFile() ? { size: info.size } : undefined;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  read(digest: string, range?: ByteRange): Readable {
    return createReadStream(this.pathOf(digest), range ? { start: range.start, end: range.end } : {});
  }

  async openSpool(): Promise<Spool> {
    const file = path.join(this.spoolDir, `${Date.now()}-${randomBytes(8).toString('hex')}.part`);
    return { path: file, handle: await open(file, 'wx+') };
  }

  async put(digest: string, spool: Spool): Promise<void> {
    const target = this.pathOf(digest);
    await spool.handle.sync();
    await mkdir(path.dirname(target), { recursive: true });
    // Two processes placing the same blob rename identical, verified content: the last one wins harmlessly.
    await rename(spool.path, target);
    await syncDirectory(path.dirname(target));
  }

  async discard(spool: Spool): Promise<void> {
    await rm(spool.path, { force: true });
  }

  async remove(digest: string): Promise<void> {
    await rm(this.pathOf(digest), { force: true });
  }

  /** The digest is validated first: it becomes a path, and must never walk out of the store. */
  private pathOf(digest: string): string {
    if (!isDigest(digest)) throw new Error(`"${digest}" is not a digest`);
    const [algorithm, hex] = digest.split(':') as [string, string];
    return path.join(this.blobsDir, algorithm, hex.slice(0, 2), hex);
  }
}

/** Makes a rename durable: the new directory entry survives a power loss once its directory is synced. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
