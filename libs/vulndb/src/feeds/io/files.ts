import type { Dirent } from 'node:fs';
import { open, readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { FeedSourceError, errorMessage } from '../errors';

export type PathKind = 'file' | 'directory';

/** Whether the source path is a file or a directory; anything else is an unreadable source. */
export async function pathKind(path: string, label: string): Promise<PathKind> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new FeedSourceError(label, code === 'ENOENT' ? 'no such file or directory' : `cannot read: ${errorMessage(err)}`, { cause: err });
  }
  if (info.isDirectory()) return 'directory';
  if (info.isFile()) return 'file';
  throw new FeedSourceError(label, 'neither a file nor a directory');
}

/**
 * The files under `dir` whose names pass `wanted`, depth first in name order, so that two reads
 * of one tree yield records in the same order. Symlinked directories are not followed (a link
 * cycle would never end); a directory that cannot be listed fails the whole source, since
 * skipping it would silently drop every record below it.
 */
export async function* walkFiles(dir: string, wanted: (name: string) => boolean, label: string): AsyncGenerator<string> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    throw new FeedSourceError(label, `cannot list ${dir}: ${errorMessage(err)}`, { cause: err });
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walkFiles(path, wanted, label);
    else if ((entry.isFile() || (entry.isSymbolicLink() && (await isFile(path)))) && wanted(entry.name)) yield path;
  }
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}

/** `path` relative to `root` with forward slashes, for record locations; the name alone when `root` is the file. */
export function relativeLocation(root: string, path: string): string {
  const rel = relative(root, path);
  return (rel === '' ? (path.split(sep).pop() ?? path) : rel).split(sep).join('/');
}

export type WholeFile = { ok: true; data: Buffer } | { ok: false; size: number };

/** A file's content when it has at most `maxBytes`; reading fails the source (the file was listed a moment ago). */
export async function readWholeFile(path: string, maxBytes: number, label: string): Promise<WholeFile> {
  try {
    const handle = await open(path, 'r');
    try {
      const { size } = await handle.stat();
      if (size > maxBytes) return { ok: false, size };
      // Read to the end rather than trusting `size`: the file may be growing.
      const data = await handle.readFile();
      return data.length > maxBytes ? { ok: false, size: data.length } : { ok: true, data };
    } finally {
      await handle.close();
    }
  } catch (err) {
    throw new FeedSourceError(label, `cannot read ${path}: ${errorMessage(err)}`, { cause: err });
  }
}

/** The first bytes of a file, to recognize its format. */
export async function readMagic(path: string, length: number, label: string): Promise<Buffer> {
  try {
    const handle = await open(path, 'r');
    try {
      const buf = Buffer.alloc(length);
      const { bytesRead } = await handle.read(buf, 0, length, 0);
      return buf.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch (err) {
    throw new FeedSourceError(label, `cannot read ${path}: ${errorMessage(err)}`, { cause: err });
  }
}
