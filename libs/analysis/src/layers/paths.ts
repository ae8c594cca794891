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

/** An archive-supplied name, quoted and cut short for a message: a pax path may be megabytes long. */
export function quoted(name: string): string {
  return JSON.stringify(name.length > 200 ? `${name.slice(0, 200)}…` : name);
}
