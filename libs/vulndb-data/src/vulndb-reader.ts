import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** A `worker.feeds` row: a configured vulnerability feed and how its last import went. */
export interface FeedRow {
  name: string;
  /** osv, alpine-secdb, debian-oval. */
  kind: string;
  /** The path or URL it is read from. */
  location: string;
  /** The vulndb version of the last import that changed this feed (bigint, as text). */
  version: string | null;
  recordCount: number;
  skippedCount: number;
  lastSyncAt: Date | null;
  lastSuccessAt: Date | null;
  lastChangedAt: Date | null;
  lastError: string | null;
  skippedSample: { location: string; reason: string }[];
}

/** Read-only access to the vulnerability database's state for other services, in plain SQL. */
@Injectable()
export class VulnDbReader {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  feeds(): Promise<FeedRow[]> {
    return this.dataSource.query(
      `SELECT name, kind, location, version::text AS version, record_count AS "recordCount", skipped_count AS "skippedCount",
              last_sync_at AS "lastSyncAt", last_success_at AS "lastSuccessAt", last_changed_at AS "lastChangedAt",
              last_error AS "lastError", skipped_sample AS "skippedSample"
       FROM worker.feeds ORDER BY name ASC`,
    );
  }

  /** The current database version: the newest import that changed anything; undefined before the first. */
  async currentVersion(): Promise<string | undefined> {
    const [row] = (await this.dataSource.query('SELECT max(version)::text AS version FROM worker.vulndb_versions')) as {
      version: string | null;
    }[];
    return row?.version ?? undefined;
  }
}
