import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { text } from 'node:stream/consumers';
import { FsBlobStore } from './fs-blob-store';

const digestOf = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

describe('FsBlobStore', () => {
  let root: string;
  let store: FsBlobStore;

  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'blob-store-'));
    store = new FsBlobStore(root);
    await store.init();
  });

  afterEach(() => rm(root, { recursive: true, force: true }));

  it('holds nothing until put(), then the whole blob at its content address, and no spool left', async () => {
    const bytes = Buffer.from('hello blob cache');
    const digest = digestOf(bytes);
    const spool = await store.openSpool();
    await spool.handle.write(bytes.subarray(0, 5), 0, 5, 0);
    // Written halfway: a reader finds no blob, not half of one.
    expect(await store.stat(digest)).toBeUndefined();
    await spool.handle.write(bytes.subarray(5), 0, bytes.length - 5, 5);
    expect(path.dirname(spool.path)).toBe(path.join(root, 'spool')); // same filesystem as blobs/: rename is atomic
    await store.put(digest, spool);
    await spool.handle.close();

    expect(await store.stat(digest)).toEqual({ size: bytes.length });
    const hex = digest.slice('sha256:'.length);
    expect(await readFile(path.join(root, 'blobs', 'sha256', hex.slice(0, 2), hex))).toEqual(bytes);
    expect(await readdir(path.join(root, 'spool'))).toEqual([]);
    expect(await text(store.read(digest))).toBe('hello blob cache');
    expect(await text(store.read(digest, { start: 6, end: 9 }))).toBe('blob');
  });

  it('discards a spool that is not placed', async () => {
    const spool = await store.openSpool();
    await spool.handle.write(Buffer.from('partial'), 0, 7, 0);
    await spool.handle.close();
    await store.discard(spool);
    expect(await readdir(path.join(root, 'spool'))).toEqual([]);
    expect(await readdir(path.join(root, 'blobs'))).toEqual([]);
  });

  it('removes only stale spools at start (another process may be writing fresh ones)', async () => {
    const stale = path.join(root, 'spool', 'old.part');
    const fresh = path.join(root, 'spool', 'new.part');
    await writeFile(stale, 'x');
    await writeFile(fresh, 'y');
    const dayAndAHalfAgo = new Date(Date.now() - 36 * 3600 * 1000);
    await utimes(stale, dayAndAHalfAgo, dayAndAHalfAgo);
    await new FsBlobStore(root).init();
    expect(await readdir(path.join(root, 'spool'))).toEqual(['new.part']);
  });

  it('refuses anything but a digest as a blob name', async () => {
    await expect(store.stat('sha256:../../../etc/passwd')).rejects.toThrow(/not a digest/);
    expect(() => store.read('../x')).toThrow(/not a digest/);
  });
});
