/**
 * Normalizes a path as stored in a layer archive: `./`, leading `/`, empty and `.` components
 * dropped, `..` collapsed lexically. Returns null when the path climbs above the root, which only
 * a crafted archive does (`../etc/passwd`); `''` is the root itself.
 */
export function normalizeLayerPath(raw: string): string | null {
  const parts: string[] = [];
  for (const part of raw.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) return null;
      parts.pop();
      continue;
    }
    parts.push(part);
  }
  return parts.join('/');
}

/** The components of a normalized path; the root has none. */
export function pathParts(path: string): string[] {
  return path === '' ? [] : path.split('/');
}

export function parentAndName(path: string): { parent: string; name: string } {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? { parent: '', name: path } : { parent: path.slice(0, slash), name: path.slice(slash + 1) };
}

/**
 * Linux's PATH_MAX. Extractors open entries by full path, so a longer one cannot exist in a running
 * container; in an archive it only serves to make one entry expand into thousands of directories.
 */
export const PATH_MAX = 4096;

/** Linux's NAME_MAX: the longest file name (one path component) any filesystem takes, in bytes. */
export const NAME_MAX = 255;

/**
 * Which bound of a real filesystem `path` (as an archive stores it) breaks, if any: PATH_MAX bytes
 * or more in all, or a component over NAME_MAX bytes. Measured on the raw string, before it is
 * split, so a hostile path costs one pass over its bytes and nothing more.
 */
export function pathBoundBroken(path: string): 'PATH_MAX' | 'NAME_MAX' | undefined {
  // UTF-8 takes at least one byte per UTF-16 unit, so the length alone often settles it.
  if (path.length >= PATH_MAX || Buffer.byteLength(path) >= PATH_MAX) return 'PATH_MAX';
  for (let start = 0; start <= path.length;) {
    const slash = path.indexOf('/', start);
    const end = slash < 0 ? path.length : slash;
    if (end - start > NAME_MAX || (3 * (end - start) > NAME_MAX && Buffer.byteLength(path.slice(start, end)) > NAME_MAX)) return 'NAME_MAX';
    start = end + 1;
  }
  return undefined;
}

/** An archive-supplied name, quoted and cut short for a message: a pax path may be megabytes long. */
export function quoted(name: string): string {
  return JSON.stringify(name.length > 200 ? `${name.slice(0, 200)}…` : name);
}
