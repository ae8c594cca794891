import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import Database from 'better-sqlite3';
import { parseRpmDb } from './rpmdb';

const SQLITE_PATH = 'var/lib/rpm/rpmdb.sqlite';
const RPM_TABLE = 'CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL);';

/** The bytes of a database made by running `sql`. */
function databaseOf(sql: string): Buffer {
  const db = new Database(':memory:');
  try {
    db.exec(sql);
    return db.serialize();
  } finally {
    db.close();
  }
}

/** A view over a recursive CTE: with a bound of 5 rows it is harmless; with none it runs for days. */
const RECURSIVE_VIEW = `
  CREATE TABLE Other (x);
  CREATE VIEW Packages AS
    WITH RECURSIVE n(hnum) AS (SELECT 1 UNION ALL SELECT hnum + 1 FROM n WHERE hnum < 5)
    SELECT hnum, zeroblob(16) AS blob FROM n;`;

describe('rpm SQLite databases are data, not code: the schema is checked before anything is read', () => {
  it.each<[string, string, string]>([
    ['Packages as a view over a recursive CTE', RECURSIVE_VIEW, 'Packages is a view; an rpm database holds a table'],
    [
      'Packages as a view, in another case',
      "CREATE VIEW packages AS SELECT 1 AS hnum, x'00' AS blob",
      'Packages is a view; an rpm database holds a table',
    ],
    [
      'Packages as an fts5 virtual table',
      'CREATE VIRTUAL TABLE Packages USING fts5(hnum, blob)',
      'Packages is a virtual table; an rpm database holds a table',
    ],
    [
      "a trigger beside rpm's table",
      `${RPM_TABLE} CREATE TABLE Log (x); CREATE TRIGGER audit AFTER INSERT ON Packages BEGIN INSERT INTO Log VALUES (1); END;`,
      'the database has a trigger ("audit"); an rpm database has none',
    ],
    [
      "a view beside rpm's table",
      `${RPM_TABLE} CREATE VIEW Names AS SELECT hnum FROM Packages;`,
      'the database has a view ("Names"); an rpm database has none',
    ],
    [
      "a virtual table beside rpm's table",
      `${RPM_TABLE} CREATE VIRTUAL TABLE Search USING fts5(text);`,
      'the database has a virtual table ("Search"); an rpm database has none',
    ],
    [
      'hnum of another type',
      'CREATE TABLE Packages (hnum TEXT PRIMARY KEY, blob BLOB)',
      'Packages has columns (hnum TEXT PRIMARY KEY, blob BLOB); an rpm database has (hnum INTEGER PRIMARY KEY, blob BLOB)',
    ],
    [
      'blob of another type',
      'CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, blob TEXT)',
      'Packages has columns (hnum INTEGER PRIMARY KEY, blob TEXT); an rpm database has (hnum INTEGER PRIMARY KEY, blob BLOB)',
    ],
    [
      'blob as a generated column, computed on every read',
      'CREATE TABLE Packages (hnum INTEGER PRIMARY KEY, seed INTEGER, blob BLOB AS (zeroblob(seed)))',
      'Packages has columns (hnum INTEGER PRIMARY KEY, seed INTEGER, blob BLOB GENERATED); an rpm database has (hnum INTEGER PRIMARY KEY, blob BLOB)',
    ],
  ])('%s: refused with a warning, no packages', async (_, sql, warning) => {
    expect(await parseRpmDb(databaseOf(sql), SQLITE_PATH)).toEqual({
      format: 'sqlite',
      packages: [],
      warnings: [`${SQLITE_PATH}: ${warning}`],
    });
  });

  it('a database file (as the analyzer spools it) is checked the same way', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'rpmdb-'));
    try {
      const file = path.join(dir, 'rpmdb.sqlite');
      writeFileSync(file, databaseOf(RECURSIVE_VIEW));
      expect(await parseRpmDb({ file }, SQLITE_PATH)).toEqual({
        format: 'sqlite',
        packages: [],
        warnings: [`${SQLITE_PATH}: Packages is a view; an rpm database holds a table`],
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("rpm's own shape is read: each row's blob is parsed, a bad one costs that package only", async () => {
    const bytes = databaseOf(`${RPM_TABLE} INSERT INTO Packages (blob) VALUES (x'00000000');`);
    const result = await parseRpmDb(bytes, SQLITE_PATH);
    expect(result.packages).toEqual([]);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toMatch(/^var\/lib\/rpm\/rpmdb\.sqlite: header 1: /);
  });
});
