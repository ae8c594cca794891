import Database from 'better-sqlite3';
import { errorMessage } from '../../io';

/**
 * Reads header blobs out of rpm's SQLite database (`rpmdb.sqlite`, rpm ≥ 4.16: Fedora 33+,
 * RHEL 9, CBL-Mariner 2): table `Packages(hnum INTEGER PRIMARY KEY, blob BLOB)`. The database is
 * opened read-only from a file (the analyzer's bounded temporary copy), so SQLite pages it in as
 * it reads instead of holding it in memory; a Buffer is accepted too and opened in memory.
 */

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

export function isSqlite(data: Uint8Array): boolean {
  return data.length >= SQLITE_MAGIC.length && Buffer.from(data.buffer, data.byteOffset, SQLITE_MAGIC.length).equals(SQLITE_MAGIC);
}

/**
 * rpm keeps its database in WAL mode, which SQLite cannot open from memory. A copy marked as a
 * rollback-journal database (header bytes 18 and 19) has the same content: without its `-wal` file
 * beside it, everything the database holds is in the main file anyway.
 */
function rollbackJournalCopy(bytes: Buffer): Buffer {
  const copy = Buffer.from(bytes);
  if (copy.length >= 20 && copy[18] === 2 && copy[19] === 2) copy[18] = copy[19] = 1;
  return copy;
}

/** Every header blob of an rpm SQLite database, in install order; problems go to `warn`. */
export function* sqliteBlobs(source: string | Buffer, warn: (message: string) => void): Generator<Uint8Array> {
  let db: Database.Database | undefined;
  try {
    db =
      typeof source === 'string'
        ? new Database(source, { readonly: true, fileMustExist: true })
        : new Database(rollbackJournalCopy(source));
    // Never let a crafted database make SQLite write next to it or trust its own schema blindly.
    db.pragma('query_only = ON');
    db.pragma('trusted_schema = OFF');
    const rows = db.prepare('SELECT hnum, blob FROM Packages ORDER BY hnum').raw().iterate() as IterableIterator<[unknown, unknown]>;
    for (const [hnum, blob] of rows) {
      if (blob instanceof Uint8Array) yield blob;
      else warn(`package ${String(hnum)}: blob is not a BLOB`);
    }
  } catch (err) {
    // A damaged file fails here, possibly after some rows: those stay, the rest is reported.
    warn(errorMessage(err));
  } finally {
    db?.close();
  }
}
