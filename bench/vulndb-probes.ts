/**
 * Where the time goes, measured from outside the services: CPU seconds per process (/proc), and
 * which statements Postgres backends of the platform database are busy with (pg_stat_activity,
 * sampled).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import type { Pool, PoolClient } from 'pg';

const round = (value: number, digits = 1): number => Number(value.toFixed(digits));

/** Peak and current RSS of a process, from /proc (Linux). */
export function memoryOf(pid: number): { peak_mb: number; now_mb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { peak_mb: Math.round(kb('VmHWM') / 1024), now_mb: Math.round(kb('VmRSS') / 1024) };
}

/** CPU seconds (user + system) a process has used, from /proc/<pid>/stat; 0 when it is gone or unreadable. */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in USER_HZ (100 on Linux)
  } catch {
    return 0;
  }
}

/** CPU seconds of every process with this command name (all Postgres backends, RabbitMQ's VM). */
function cpuSecondsOfCommand(command: string): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === command) total += cpuSeconds(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

/**
 * CPU use of the given processes, of all Postgres processes and of RabbitMQ over a stretch of
 * time. (Postgres backends that exit within the stretch take their CPU time with them; the
 * services keep their pooled connections, so that is little.)
 */
export class CpuMeter {
  private readonly start: Map<string, number>;
  private readonly started = performance.now();

  constructor(private readonly processes: { name: string; pid: number }[]) {
    this.start = this.sample();
  }

  private sample(): Map<string, number> {
    const out = new Map<string, number>();
    for (const { name, pid } of this.processes) out.set(name, cpuSeconds(pid));
    out.set('postgres (all processes)', cpuSecondsOfCommand('postgres'));
    out.set('rabbitmq (beam.smp)', cpuSecondsOfCommand('beam.smp'));
    return out;
  }

  /** Per process: CPU seconds used, and how many cores that is on average over the wall time. */
  stop(): Record<string, { cpu_s: number; cores: number }> {
    const wall = (performance.now() - this.started) / 1000;
    const end = this.sample();
    return Object.fromEntries(
      [...end].map(([name, seconds]) => {
        const used = Math.max(0, seconds - (this.start.get(name) ?? 0));
        return [name, { cpu_s: round(used), cores: round(used / wall, 2) }];
      }),
    );
  }
}

/**
 * Samples pg_stat_activity of the platform database every `intervalMs`: which statements its
 * backends are running. A statement's `busy_backends` is the average number of backends running
 * it; the top ones are where the database time goes.
 */
export class ActivitySampler {
  private readonly counts = new Map<string, number>();
  private samples = 0;
  private stopped = false;
  private loop?: Promise<void>;
  private client?: PoolClient;

  constructor(
    private readonly pool: Pool,
    private readonly intervalMs = 50,
  ) {}

  async start(): Promise<this> {
    this.client = await this.pool.connect();
    const client = this.client;
    this.loop = (async () => {
      while (!this.stopped) {
        const { rows } = await client.query<{ q: string }>(
          `SELECT left(regexp_replace(query, '\\s+', ' ', 'g'), 110) AS q FROM pg_stat_activity
           WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()`,
        );
        this.samples++;
        for (const { q } of rows) this.counts.set(q, (this.counts.get(q) ?? 0) + 1);
        await new Promise((resolve) => setTimeout(resolve, this.intervalMs));
      }
    })();
    return this;
  }

  async stop(
    top = 6,
  ): Promise<{ samples: number; busy_backends_avg: number; statements: { statement: string; busy_backends: number; share: number }[] }> {
    this.stopped = true;
    await this.loop;
    this.client?.release();
    const total = [...this.counts.values()].reduce((sum, n) => sum + n, 0);
    const statements = [...this.counts]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([statement, n]) => ({
        statement,
        busy_backends: round(n / Math.max(1, this.samples), 2),
        share: round(n / Math.max(1, total), 2),
      }));
    return { samples: this.samples, busy_backends_avg: round(total / Math.max(1, this.samples), 2), statements };
  }
}
