import { DataSource } from 'typeorm';
import { WindowCount, WindowStore } from './window-counter';

/** Every limit counts per minute: the settings say "per minute", and Retry-After is then exact. */
export const WINDOW_SECONDS = 60;

/** Windows are aligned to the database's clock, so replicas with drifting clocks share them. */
const CURRENT_WINDOW = `date_bin(make_interval(secs => ${WINDOW_SECONDS}), now(), timestamptz '1970-01-01 00:00:00+00')`;

/**
 * The counts in `gateway.rate_windows`, one row per bucket and window, shared by every gateway
 * replica. Adding is one atomic upsert, so concurrent replicas never lose a hit.
 */
export class PostgresWindowStore implements WindowStore {
  constructor(private readonly dataSource: DataSource) {}

  async add(bucket: string, hits: number): Promise<WindowCount> {
    const [row] = (await this.dataSource.query(
      `INSERT INTO gateway.rate_windows AS w (bucket, window_start, hits) VALUES ($1, ${CURRENT_WINDOW}, $2)
       ON CONFLICT (bucket, window_start) DO UPDATE SET hits = w.hits + EXCLUDED.hits
       RETURNING w.hits, extract(epoch FROM w.window_start + make_interval(secs => ${WINDOW_SECONDS}) - now())::float8 AS seconds_left`,
      [bucket, hits],
    )) as { hits: number; seconds_left: number }[];
    return { hits: row.hits, secondsLeft: row.seconds_left };
  }

  async read(bucket: string): Promise<WindowCount> {
    const [row] = (await this.dataSource.query(
      `SELECT coalesce((SELECT hits FROM gateway.rate_windows WHERE bucket = $1 AND window_start = ${CURRENT_WINDOW}), 0) AS hits,
              extract(epoch FROM ${CURRENT_WINDOW} + make_interval(secs => ${WINDOW_SECONDS}) - now())::float8 AS seconds_left`,
      [bucket],
    )) as { hits: number; seconds_left: number }[];
    return { hits: row.hits, secondsLeft: row.seconds_left };
  }

  /**
   * Deletes the windows that ended a window ago or earlier; returns how many. One replica at a time
   * does it (a transaction-scoped advisory lock in the same statement); the others delete nothing.
   */
  async prune(): Promise<number> {
    const rows = (await this.dataSource.query(
      `WITH claim AS (SELECT pg_try_advisory_xact_lock(hashtext('gateway.rate_windows prune')) AS won)
       DELETE FROM gateway.rate_windows
       WHERE (SELECT won FROM claim) AND window_start < ${CURRENT_WINDOW} - make_interval(secs => ${WINDOW_SECONDS})
       RETURNING 1`,
    )) as unknown[];
    return rows.length;
  }
}
