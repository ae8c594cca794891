import { Readable, pipeline } from 'node:stream';
import { extract as tarExtract, type Header } from 'tar-stream';
import { ScanError } from '@vulnscan/contracts';
import { BlobReadError, layerTarBytes } from './decompress';
import type { ImageBudget } from './budget';
import { LayerLimits, errorMessage, layerCorrupt, limitExceeded } from './limits';
import { NAME_MAX, PATH_MAX, normalizeLayerPath, pathBoundBroken, quoted } from './paths';

/** One entry as tar-stream yields it: its header and its content stream. */
type TarEntry = ReturnType<typeof tarExtract> extends AsyncIterable<infer E> ? E : never;

export type LayerEntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'other';

/** One archive entry of one layer, as the walker hands it on. */
export interface LayerEntry {
  /** Normalized, without a leading slash; `''` is the root directory (`./`). */
  path: string;
  type: LayerEntryType;
  /** Bytes of content; 0 for everything but regular files. */
  size: number;
  /** Permission bits (`mode & 0o7777`). */
  mode: number;
  /** Symlinks: the target exactly as stored. Hardlinks: the normalized path of the linked file. */
  linkTarget?: string;
  /** Regular files only. Read it at most once; whatever is left unread is skipped by the walker. */
  content?: AsyncIterable<Buffer>;
}

export interface WalkLayerOptions {
  /** Names the layer in errors and warnings: `layer 2 (sha256:…)`. */
  label: string;
  limits: LayerLimits;
  warn(message: string): void;
  signal?: AbortSignal;
  /** The image's budgets, when this layer is one of an image's: every entry and its path bytes are paid for. */
  budget?: ImageBudget;
}

/**
 * Streams one layer blob (gzip, zstd or plain tar) through a tar parser and hands every entry to
 * `onEntry`, in archive order, one at a time. Over a limit it throws `layer_too_large` (over an image
 * budget `analysis_limit_exceeded`); a corrupt or truncated blob, or a path no filesystem could hold,
 * throws `layer_corrupt`; an error of the blob stream itself is rethrown unchanged.
 * Returns how many entries the layer held.
 */
export async function walkLayer(
  blob: Readable,
  mediaType: string,
  options: WalkLayerOptions,
  onEntry: (entry: LayerEntry) => Promise<void>,
): Promise<number> {
  const { label, limits, warn, signal, budget } = options;
  signal?.throwIfAborted();
  const extract = tarExtract();
  const tarBytes = layerTarBytes(blob, mediaType, { label, maxLayerBytes: limits.maxLayerBytes, warn });
  pipeline(Readable.from(tarBytes, { objectMode: false }), extract, () => undefined);
  const onAbort = (): void => void extract.destroy(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  const entries = extract[Symbol.asyncIterator]();
  let count = 0;
  let complete = false;
  try {
    for (;;) {
      let step: IteratorResult<TarEntry>;
      try {
        step = await entries.next();
      } catch (err) {
        throw classify(err, label, signal);
      }
      if (step.done) break;
      const raw = step.value;
      if (++count > limits.maxEntries) throw limitExceeded('maxEntries', label, `more than ${limits.maxEntries} entries`);
      // tar-stream leaves fields it cannot read undefined, whatever its types say: the header is untrusted.
      const declared = raw.header.size ?? 0;
      if (declared > limits.maxEntrySize) {
        throw limitExceeded('maxEntrySize', label, `entry ${quoted(raw.header.name)} of ${declared} bytes`);
      }
      const pathBytes = checkPathBounds(raw.header, label);
      budget?.spendEntry(label, pathBytes);
      const entry = toLayerEntry(raw, label, warn, signal);
      if (entry) await onEntry(entry);
      // tar-stream stops at an entry nobody reads; skip what the handler left.
      try {
        for await (const _chunk of raw) signal?.throwIfAborted();
      } catch (err) {
        throw classify(err, label, signal);
      }
    }
    complete = true;
    return count;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (!complete) {
      extract.destroy();
      blob.destroy();
    }
  }
}

/** Errors of the walk as the scan should see them: the blob's own, a limit, a cancel, or a corrupt layer. */
function classify(err: unknown, label: string, signal?: AbortSignal): unknown {
  if (signal?.aborted) return signal.reason;
  if (err instanceof BlobReadError) return err.original;
  if (err instanceof ScanError) return err;
  // Everything else comes from the tar parser itself: a bad header, a checksum, data cut short.
  return layerCorrupt(label, `tar: ${errorMessage(err)}`);
}

const TYPES: Partial<Record<Header['type'], LayerEntryType>> = {
  file: 'file',
  'contiguous-file': 'file',
  directory: 'dir',
  symlink: 'symlink',
  link: 'hardlink',
};

/**
 * Fails the layer on an entry no Linux filesystem could hold: a path or link target of PATH_MAX
 * bytes or more, or a path component over NAME_MAX bytes. Such entries are only made to blow up
 * what reads them (one name expanding into thousands of directories, megabytes per path), so they
 * are refused before the path is split. Returns the bytes of path and link target.
 */
function checkPathBounds(header: Header, label: string): number {
  const name = header.name ?? '';
  const linkname = header.linkname ?? '';
  const broken = pathBoundBroken(name);
  if (broken === 'PATH_MAX')
    throw layerCorrupt(label, `entry ${quoted(name)} has a path of ${Buffer.byteLength(name)} bytes, PATH_MAX (${PATH_MAX}) or more`);
  if (broken === 'NAME_MAX') throw layerCorrupt(label, `entry ${quoted(name)} has a path component over NAME_MAX (${NAME_MAX} bytes)`);
  const linkBytes = Buffer.byteLength(linkname);
  if (linkBytes >= PATH_MAX)
    throw layerCorrupt(label, `entry ${quoted(name)} has a link target of ${linkBytes} bytes, PATH_MAX (${PATH_MAX}) or more`);
  return Buffer.byteLength(name) + linkBytes;
}

function toLayerEntry(raw: TarEntry, label: string, warn: (message: string) => void, signal?: AbortSignal): LayerEntry | undefined {
  const header = raw.header;
  const name = header.name ?? '';
  const linkname = header.linkname ?? '';
  const path = normalizeLayerPath(name);
  if (path === null) {
    warn(`${label}: entry ${quoted(name)} climbs out of the image root; skipped`);
    return undefined;
  }
  const type: LayerEntryType = TYPES[header.type] ?? 'other';
  const mode = (header.mode ?? 0) & 0o7777;
  switch (type) {
    case 'file':
      return { path, type, size: header.size ?? 0, mode, content: bytesOf(raw, label, signal) };
    case 'symlink':
      return { path, type, size: 0, mode, linkTarget: linkname };
    case 'hardlink': {
      const target = normalizeLayerPath(linkname);
      if (target === null || target === '') {
        warn(`${label}: hardlink ${path} -> ${quoted(linkname)} points outside the image root; skipped`);
        return undefined;
      }
      return { path, type, size: 0, mode, linkTarget: target };
    }
    default:
      return { path, type, size: 0, mode };
  }
}

/**
 * The entry's bytes, typed, with the walk's errors classified (a blob cut off mid-file surfaces
 * here). Stopping early does not end the entry stream: ending a tar-stream entry destroys the whole
 * archive, and the walker skips the rest itself.
 */
async function* bytesOf(raw: TarEntry, label: string, signal?: AbortSignal): AsyncGenerator<Buffer> {
  const chunks = raw[Symbol.asyncIterator]();
  for (;;) {
    let step: IteratorResult<unknown>;
    try {
      step = await chunks.next();
    } catch (err) {
      throw classify(err, label, signal);
    }
    if (step.done) return;
    yield step.value as Buffer;
  }
}
