import initSqlJs from 'sql.js';
import { errorMessage } from '../../io';

/**
 * Reads header blobs out of rpm's SQLite database (`rpmdb.sqlite`, rpm ≥ 4.16: Fedora 33+,
 * RHEL 9, CBL-Mariner 2): table `Packages(hnum INTEGER PRIMARY KEY, blob BLOB)`. SQLite runs as
 * WebAssembly (sql.js), so nothing native is built, and the database is opened from memory: it is
 * never written to disk, and its size was bounded when it was read.
 */

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

export function isSqlite(data: Uint8Array): boolean {
  return data.length >= SQLITE_MAGIC.length && Buffer.from(data.buffer, data.byteOffset, SQLITE_MAGIC.length).equals(SQLITE_MAGIC);
}

let sqlJs: Promise<initSqlJs.SqlJsStatic> | undefined;

/** Compiles the WebAssembly module once per process; a failed attempt is retried next time. */
export function loadSqlJs(): Promise<initSqlJs.SqlJsStatic> {
  sqlJs ??= initSqlJs().catch((err: unknown) => {
    sqlJs = undefined;
    throw err;
  });
  return sqlJs;
}

/** Every header blob of an rpm SQLite database, in install order; problems go to `warn`. */
export function* sqliteBlobs(sql: initSqlJs.SqlJsStatic, bytes: Uint8Array, warn: (message: string) => void): Generator<Uint8Array> {
  if (!isSqlite(bytes)) {
    warn('not an SQLite database');
    return;
  }
  let db: initSqlJs.Database | undefined;
  let statement: initSqlJs.Statement | undefined;
  try {
    db = new sql.Database(bytes);
    statement = db.prepare('SELECT hnum, blob FROM Packages ORDER BY hnum');
    while (statement.step()) {
      const [hnum, blob] = statement.get();
      if (blob instanceof Uint8Array) yield blob;
      else warn(`package ${String(hnum)}: blob is not a BLOB`);
    }
  } catch (err) {
    // A damaged file fails here, possibly after some rows: those stay, the rest is reported.
    warn(errorMessage(err));
  } finally {
    statement?.free();
    db?.close();
  }
}
