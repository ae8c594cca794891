import { open, readFile } from 'node:fs/promises';
import type { Package } from '../../model';
import { errorMessage } from '../../io';
import { berkeleyDbValues, isBerkeleyDbHash } from './bdb';
import { isNdb, ndbBlobs } from './ndb';
import { packageFromRpmHeader } from './rpm-package';
import { isSqlite, sqliteBlobs } from './sqlite';

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

/**
 * The installed packages of an rpm database in any of its formats: SQLite, Berkeley DB, ndb.
 * `db` is the database's content, or the name of a file holding it: SQLite reads that file page by
 * page, the other formats are parsed from memory.
 */
export async function parseRpmDb(db: Buffer | { file: string }, path: string): Promise<RpmDbResult> {
  const warnings: string[] = [];
  const warn = (message: string): void => {
    warnings.push(`${path}: ${message}`);
  };
  const head = Buffer.isBuffer(db) ? db : await readHead(db.file, 4096);
  const format = detectRpmDbFormat(head);
  if (!format) return { packages: [], warnings: [`${path}: not an rpm database (SQLite, Berkeley DB or ndb)`] };
  if (format === 'sqlite') {
    return { format, packages: packagesFromBlobs(sqliteBlobs(Buffer.isBuffer(db) ? db : db.file, warn), path, warnings), warnings };
  }
  const data = Buffer.isBuffer(db) ? db : await readFile(db.file);
  const blobs = format === 'ndb' ? ndbBlobs(data, warn) : berkeleyDbValues(data, warn);
  return { format, packages: packagesFromBlobs(blobs, path, warnings), warnings };
}

async function readHead(file: string, bytes: number): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
