import type { Package } from '../../model';
import { errorMessage } from '../../io';
import { berkeleyDbValues, isBerkeleyDbHash } from './bdb';
import { isNdb, ndbBlobs } from './ndb';
import { packageFromRpmHeader } from './rpm-package';
import { isSqlite, loadSqlJs, sqliteBlobs } from './sqlite';

export type RpmDbFormat = 'sqlite' | 'bdb' | 'ndb';

export interface RpmDbResult {
  format?: RpmDbFormat;
  packages: Package[];
  warnings: string[];
}

/** Which of rpm's three database formats `data` is, from its magic bytes rather than its name. */
export function detectRpmDbFormat(data: Uint8Array): RpmDbFormat | undefined {
  if (isSqlite(data)) return 'sqlite';
  if (isNdb(data)) return 'ndb';
  if (isBerkeleyDbHash(data)) return 'bdb';
  return undefined;
}

/** Turns header blobs into packages; a blob that fails to parse costs that package only. */
export function packagesFromBlobs(blobs: Iterable<Uint8Array>, path: string, warnings: string[]): Package[] {
  const packages: Package[] = [];
  let index = 0;
  for (const blob of blobs) {
    index++;
    try {
      const pkg = packageFromRpmHeader(blob, path);
      if (pkg) packages.push(pkg);
    } catch (err) {
      warnings.push(`${path}: header ${index}: ${errorMessage(err)}; skipped`);
    }
  }
  return packages;
}

/** The installed packages of an rpm database in any of its formats: SQLite, Berkeley DB, ndb. */
export async function parseRpmDb(data: Uint8Array, path: string): Promise<RpmDbResult> {
  const warnings: string[] = [];
  const warn = (message: string): void => {
    warnings.push(`${path}: ${message}`);
  };
  const format = detectRpmDbFormat(data);
  switch (format) {
    case 'sqlite':
      return { format, packages: packagesFromBlobs(sqliteBlobs(await loadSqlJs(), data, warn), path, warnings), warnings };
    case 'ndb':
      return { format, packages: packagesFromBlobs(ndbBlobs(data, warn), path, warnings), warnings };
    case 'bdb':
      return { format, packages: packagesFromBlobs(berkeleyDbValues(data, warn), path, warnings), warnings };
    default:
      return { packages: [], warnings: [`${path}: not an rpm database (SQLite, Berkeley DB or ndb)`] };
  }
}
