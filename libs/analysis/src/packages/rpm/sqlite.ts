import Database from 'better-sqlite3';
import { errorMessage } from '../../io';

/**
 * Reads header blobs out of rpm's SQLite database (`rpmdb.sqlite`, rpm ≥ 4.16: Fedora 33+,
 * RHEL 9, CBL-Mariner 2): table `Packages(hnum INTEGER PRIMARY KEY, blob BLOB)`. The database is
 * opened read-only from a file (the analyzer's bounded temporary copy), so SQLite pages it in as
 * it reads instead of holding it in memory; a Buffer is accepted too and opened in memory.
 *
 * The file is data from an image, and an SQLite schema is code: a `Packages` view over a recursive
 * CTE runs for days from 4 KB. So the schema is checked before anything is read: Packages must be
 * a plain table with rpm's two columns, and the database may hold no view, trigger or virtual
 * table at all (rpm creates none). Only then is the one fixed query run.
 */

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

/** Pages SQLite may cache for this connection, in KiB (its default is 16 MiB per connection here). */
const CACHE_KIB = 2048;

export function isSqlite(data: Uint8Array): boolean {
  return data.length >= SQLITE_MAGIC.length && Buffer.from(data.buffer, data.byteOffset, SQLITE_MAGIC.length).equals(SQLITE_MAGIC);
}

/** A database that is not what rpm writes, refused before any of its SQL runs. */
class RefusedSchema extends Error {}

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

/**
 * Settings that keep a hostile file from making SQLite write, trust its schema, map the file or
 * cache much of it. better-sqlite3 has no sqlite3_limit(), and SQLite's heap limits are
 * process-wide (and not enforced in this build, which keeps no memory statistics), so these
 * pragmas and the schema check are what bounds a read.
 */
function harden(db: Database.Database): void {
  db.pragma('query_only = ON');
  db.pragma('trusted_schema = OFF');
  db.pragma('mmap_size = 0');
  db.pragma(`cache_size = -${CACHE_KIB}`);
  // Checks each b-tree cell against its page as it is read, so a crafted page fails as corrupt.
  db.pragma('cell_size_check = ON');
}

/** A name from the file, quoted and cut short for a warning. */
function quotedName(name: unknown): string {
  const text = String(name);
  return JSON.stringify(text.length > 100 ? `${text.slice(0, 100)}…` : text);
}

/**
 * Throws RefusedSchema unless the database is shaped like rpm's: its schema table is read as a
 * plain table (that much SQLite never lets a file redefine), nothing of the file's SQL is run.
 */
function checkSchema(db: Database.Database): void {
  const objects = db.prepare('SELECT type, name, sql FROM sqlite_schema').raw().all() as [unknown, unknown, unknown][];
  const packages = objects.find(([, name]) => typeof name === 'string' && name.toLowerCase() === 'packages');
  if (!packages) throw new RefusedSchema('no such table: Packages');
  const [type, , sql] = packages;
  if (type !== 'table') throw new RefusedSchema(`Packages is a ${String(type)}; an rpm database holds a table`);
  if (isVirtual(sql)) throw new RefusedSchema('Packages is a virtual table; an rpm database holds a table');
  for (const [kind, name, text] of objects) {
    if (kind === 'view' || kind === 'trigger')
      throw new RefusedSchema(`the database has a ${kind} (${quotedName(name)}); an rpm database has none`);
    if (kind === 'table' && isVirtual(text))
      throw new RefusedSchema(`the database has a virtual table (${quotedName(name)}); an rpm database has none`);
  }
  checkColumns(db);
}

function isVirtual(sql: unknown): boolean {
  return typeof sql === 'string' && /^\s*CREATE\s+VIRTUAL\s+TABLE\b/i.test(sql);
}

/**
 * Packages must have exactly rpm's columns: `hnum INTEGER PRIMARY KEY` and `blob BLOB`. Generated
 * (hidden) columns are refused too: their expressions run on every read.
 */
function checkColumns(db: Database.Database): void {
  const columns = db.pragma('table_xinfo(Packages)') as { name: string; type: string; pk: number; hidden: number }[];
  const shape = columns.map((c) => `${c.name} ${c.type}${c.pk ? ' PRIMARY KEY' : ''}${c.hidden ? ' GENERATED' : ''}`);
  const [hnum, blob] = columns;
  const expected =
    columns.length === 2 &&
    columns.every((c) => c.hidden === 0) &&
    hnum.name.toLowerCase() === 'hnum' &&
    hnum.type.toUpperCase() === 'INTEGER' &&
    hnum.pk === 1 &&
    blob.name.toLowerCase() === 'blob' &&
    blob.type.toUpperCase() === 'BLOB';
  if (!expected)
    throw new RefusedSchema(`Packages has columns (${shape.join(', ')}); an rpm database has (hnum INTEGER PRIMARY KEY, blob BLOB)`);
}

/** Every header blob of an rpm SQLite database, in install order; problems go to `warn`. */
export function* sqliteBlobs(source: string | Buffer, warn: (message: string) => void): Generator<Uint8Array> {
  let db: Database.Database | undefined;
  try {
    db =
      typeof source === 'string'
        ? new Database(source, { readonly: true, fileMustExist: true })
        : new Database(rollbackJournalCopy(source), { readonly: true });
    harden(db);
    checkSchema(db);
    const rows = db.prepare('SELECT hnum, blob FROM Packages ORDER BY hnum').raw().iterate() as IterableIterator<[unknown, unknown]>;
    for (const [hnum, blob] of rows) {
      if (blob instanceof Uint8Array) yield blob;
      else warn(`package ${String(hnum)}: blob is not a BLOB`);
    }
  } catch (err) {
    // A refused schema reads nothing; a damaged file fails here, possibly after some rows: those stay, the rest is reported.
    warn(errorMessage(err));
  } finally {
    db?.close();
  }
}
