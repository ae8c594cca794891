import { createHash } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { Events } from '@vulnscan/contracts';
import { Outbox } from '@vulnscan/messaging';
import {
  type Advisory,
  comparableName,
  type FeedItem,
  SEVERITIES,
  type FeedSourceConfig,
  type SkippedRecord,
  severityFromCvss,
} from '@vulnscan/vulndb';

/** Advisories written per round trip. */
const BATCH = 500;
/** Skipped records kept on the feed row as examples (all are counted). */
const SKIPPED_SAMPLE = 20;
/** Imports run one at a time across all workers: each takes the next database version. */
const IMPORT_LOCK = 'vulndb-import';

export interface ImportResult {
  feed: string;
  /** The new database version, or undefined when nothing changed. */
  version?: string;
  records: number;
  added: number;
  changed: number;
  unchanged: number;
  removed: number;
  skipped: number;
  /** Packages whose advisories changed, as (ecosystem, name). */
  affected: number;
}

interface Counts {
  records: number;
  added: number;
  changed: number;
  unchanged: number;
  skipped: number;
  sample: SkippedRecord[];
}

/**
 * Imports one feed into the database in one transaction: streamed in batches, each advisory
 * written only when its content hash differs from the stored one, advisories the feed no longer
 * holds deleted, and a new database version (with a VulnDbUpdated event naming every affected
 * package) only when something changed. A source that fails part-way rolls everything back, and
 * the previous data stays; the failure is recorded on the feed.
 */
export class FeedImporter {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
  ) {}

  async import(config: FeedSourceConfig, items: AsyncIterable<FeedItem>): Promise<ImportResult> {
    try {
      return await this.dataSource.transaction((manager) => this.importIn(manager, config, items));
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      await this.dataSource.query(
        `INSERT INTO worker.feeds (name, kind, location, last_sync_at, last_error) VALUES ($1, $2, $3, now(), $4)
         ON CONFLICT (name) DO UPDATE SET kind = $2, location = $3, last_sync_at = now(), last_error = $4`,
        [config.name, config.kind, config.location, message.slice(0, 2000)],
      );
      throw err;
    }
  }

  private async importIn(manager: EntityManager, config: FeedSourceConfig, items: AsyncIterable<FeedItem>): Promise<ImportResult> {
    await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [IMPORT_LOCK]);
    await manager.query(
      `INSERT INTO worker.feeds (name, kind, location) VALUES ($1, $2, $3) ON CONFLICT (name) DO UPDATE SET kind = $2, location = $3`,
      [config.name, config.kind, config.location],
    );
    // Taken now so rows can reference it; dropped again below if the import changes nothing.
    const [{ version }] = (await manager.query(
      `INSERT INTO worker.vulndb_versions (version, feed, added, changed, removed)
       SELECT coalesce(max(version), 0) + 1, $1, 0, 0, 0 FROM worker.vulndb_versions RETURNING version::text`,
      [config.name],
    )) as { version: string }[];

    const seen = new Set<string>();
    const affected = new Map<string, { ecosystem: string; name: string }>();
    const counts: Counts = { records: 0, added: 0, changed: 0, unchanged: 0, skipped: 0, sample: [] };
    const skip = (skipped: SkippedRecord): void => {
      counts.skipped++;
      if (counts.sample.length < SKIPPED_SAMPLE) counts.sample.push(skipped);
    };

    let batch: Advisory[] = [];
    for await (const item of items) {
      if (item.kind === 'skipped') {
        skip(item.skipped);
        continue;
      }
      const advisory = item.advisory;
      if (seen.has(advisory.key)) {
        skip({ location: advisory.key, reason: 'a second record with the same key; the first one is kept' });
        continue;
      }
      seen.add(advisory.key);
      batch.push(advisory);
      if (batch.length >= BATCH) {
        await this.writeBatch(manager, config.name, version, batch, counts, affected);
        batch = [];
      }
    }
    if (batch.length) await this.writeBatch(manager, config.name, version, batch, counts, affected);
    if (seen.size === 0) {
      // A source that suddenly reads as empty (a wrong path, every record malformed) is far more
      // likely broken than emptied: refuse rather than delete the feed's data.
      const [{ stored }] = (await manager.query(`SELECT count(*)::int AS stored FROM worker.advisories WHERE feed = $1`, [
        config.name,
      ])) as {
        stored: number;
      }[];
      if (stored > 0) {
        throw new Error(
          `${config.name} (${config.location}) yielded no advisories (${counts.skipped} records skipped); its ${stored} stored advisories are kept`,
        );
      }
    }

    // Whatever the feed no longer holds goes, and the packages it affected are affected by that.
    const keys = [...seen];
    const gonePackages = (await manager.query(
      `WITH gone AS (DELETE FROM worker.affected_packages WHERE feed = $1 AND NOT (key = ANY($2::text[])) RETURNING ecosystem, name)
       SELECT DISTINCT ecosystem, name FROM gone`,
      [config.name, keys],
    )) as { ecosystem: string; name: string }[];
    for (const row of gonePackages) affected.set(`${row.ecosystem}\u0000${row.name}`, row);
    const [{ removed }] = (await manager.query(
      `WITH gone AS (DELETE FROM worker.advisories WHERE feed = $1 AND NOT (key = ANY($2::text[])) RETURNING 1) SELECT count(*)::int AS removed FROM gone`,
      [config.name, keys],
    )) as { removed: number }[];
    const changedAnything = counts.added + counts.changed + removed > 0;
    if (changedAnything) {
      await this.rebuildSeverityById(manager);
      await manager.query(`UPDATE worker.vulndb_versions SET added = $2, changed = $3, removed = $4 WHERE version = $1`, [
        version,
        counts.added,
        counts.changed,
        removed,
      ]);
    } else {
      await manager.query(`DELETE FROM worker.vulndb_versions WHERE version = $1`, [version]);
    }
    await manager.query(
      `UPDATE worker.feeds SET record_count = $2, skipped_count = $3, skipped_sample = $4, last_sync_at = now(), last_success_at = now(),
         last_error = NULL, version = CASE WHEN $5 THEN $6::bigint ELSE version END,
         last_changed_at = CASE WHEN $5 THEN now() ELSE last_changed_at END
       WHERE name = $1`,
      [config.name, seen.size, counts.skipped, JSON.stringify(counts.sample), changedAnything, version],
    );
    if (changedAnything) {
      await this.outbox.add(manager, {
        type: Events.VulnDbUpdated,
        tenantId: undefined,
        payload: { version, affected: [...affected.values()] },
      });
    }
    return {
      feed: config.name,
      version: changedAnything ? version : undefined,
      records: seen.size,
      added: counts.added,
      changed: counts.changed,
      unchanged: counts.unchanged,
      removed,
      skipped: counts.skipped,
      affected: affected.size,
    };
  }

  /** id or alias → the most severe severity a record states for it (see the SeverityById migration). */
  private async rebuildSeverityById(manager: EntityManager): Promise<void> {
    await manager.query(`DELETE FROM worker.severity_by_id`);
    await manager.query(
      `INSERT INTO worker.severity_by_id (id, severity)
       SELECT ident, (array_agg(severity ORDER BY array_position($1::text[], severity) DESC))[1]
       FROM (SELECT unnest(array_prepend(id, aliases)) AS ident, severity FROM worker.advisories
             WHERE NOT withdrawn AND severity IS NOT NULL AND severity <> 'Unknown') AS stated
       GROUP BY ident`,
      [SEVERITIES],
    );
  }

  private async writeBatch(
    manager: EntityManager,
    feed: string,
    version: string,
    batch: Advisory[],
    counts: Counts,
    affected: Map<string, { ecosystem: string; name: string }>,
  ): Promise<void> {
    counts.records += batch.length;
    const hashes = batch.map(contentHash);
    const stored = (await manager.query(`SELECT key, content_hash FROM worker.advisories WHERE feed = $1 AND key = ANY($2::text[])`, [
      feed,
      batch.map((a) => a.key),
    ])) as { key: string; content_hash: Buffer }[];
    const storedHash = new Map(stored.map((row) => [row.key, row.content_hash]));

    const writes: { advisory: Advisory; hash: Buffer }[] = [];
    batch.forEach((advisory, i) => {
      const previous = storedHash.get(advisory.key);
      if (previous?.equals(hashes[i]!)) {
        counts.unchanged++;
        return;
      }
      if (previous) counts.changed++;
      else counts.added++;
      writes.push({ advisory, hash: hashes[i]! });
    });
    if (!writes.length) return;

    const note = (ecosystem: string, name: string): void => void affected.set(`${ecosystem}\u0000${name}`, { ecosystem, name });
    // The packages a changed advisory used to affect are affected by the change too.
    const before = (await manager.query(
      // (a CTE, so TypeORM hands back rows: for a bare DELETE it returns [rows, count])
      `WITH old AS (DELETE FROM worker.affected_packages WHERE feed = $1 AND key = ANY($2::text[]) RETURNING ecosystem, name)
       SELECT DISTINCT ecosystem, name FROM old`,
      [feed, writes.map((w) => w.advisory.key)],
    )) as { ecosystem: string; name: string }[];
    for (const row of before) note(row.ecosystem, row.name);

    await manager.query(
      `INSERT INTO worker.advisories (feed, key, id, aliases, content_hash, document, severity, withdrawn, version)
       SELECT $1, r.key, r.id, array(SELECT jsonb_array_elements_text(r.aliases)), decode(r.hash, 'hex'), r.document, r.severity, r.withdrawn, $2::bigint
       FROM jsonb_to_recordset($3::jsonb) AS r(key text, id text, aliases jsonb, hash text, document jsonb, severity text, withdrawn boolean)
       ON CONFLICT (feed, key) DO UPDATE SET id = excluded.id, aliases = excluded.aliases, content_hash = excluded.content_hash,
         document = excluded.document, severity = excluded.severity, withdrawn = excluded.withdrawn, version = excluded.version`,
      [
        feed,
        version,
        jsonbText(
          writes.map(({ advisory, hash }) => ({
            key: advisory.key,
            id: advisory.id,
            aliases: advisory.aliases,
            hash: hash.toString('hex'),
            document: advisory,
            severity: advisory.severity ?? (advisory.cvss[0] ? severityFromCvss(advisory.cvss[0]) : null),
            withdrawn: advisory.withdrawn !== undefined,
          })),
        ),
      ],
    );

    const rows = writes.flatMap(({ advisory }) =>
      advisory.affected.map((pkg) => {
        // Stored as matching compares it (PEP 503 for PyPI), so lookups are exact.
        const name = comparableName(pkg.ecosystem, pkg.name);
        note(pkg.ecosystem, name);
        return {
          key: advisory.key,
          ecosystem: pkg.ecosystem,
          name,
          ranges: pkg.ranges,
          versions: pkg.versions,
          severity: pkg.severity ?? null,
        };
      }),
    );
    if (rows.length) {
      await manager.query(
        `INSERT INTO worker.affected_packages (feed, key, ecosystem, name, ranges, versions, severity)
         SELECT $1, key, ecosystem, name, ranges, array(SELECT jsonb_array_elements_text(versions)), severity
         FROM jsonb_to_recordset($2::jsonb) AS r(key text, ecosystem text, name text, ranges jsonb, versions jsonb, severity text)`,
        [feed, jsonbText(rows)],
      );
    }
  }
}

/** JSON for a jsonb parameter: jsonb cannot hold U+0000, which a feed's free text may contain. */
function jsonbText(value: unknown): string {
  return JSON.stringify(value).replace(/\\u0000/g, '');
}

/** Stable across imports of the same record: the normalized advisory, serialized. */
function contentHash(advisory: Advisory): Buffer {
  return createHash('sha256').update(JSON.stringify(advisory)).digest();
}
