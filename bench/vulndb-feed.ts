/**
 * The benchmark's own small OSV feed (a directory source configured beside the fixture feeds):
 * the feed changes the benchmark makes are edits of its records, picked up by a sync of that
 * feed alone. Records are valid OSV (the importer checks them against the schema).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALPINE_RELEASES, CANARY } from './vulndb-fleet';

export const BENCH_FEED = 'bench';

/** An advisory about the canary project, which only 1 % of the fleet holds. */
const CANARY_ID = 'OSV-BENCH-CANARY';
/** An advisory about every image's C library (and the Go toolchain of the Go images). */
const LIBC_ID = 'OSV-BENCH-LIBC';

const record = (id: string, modified: string, summary: string, affected: object[]) => ({
  schema_version: '1.6.0',
  id,
  modified,
  published: '2025-01-01T00:00:00Z',
  summary,
  details: `${summary}. Written by bench/vulndb.bench.ts; not a real vulnerability.`,
  affected,
  references: [{ type: 'WEB', url: `https://example.com/advisories/${id}` }],
});

export class BenchFeed {
  constructor(readonly dir: string) {}

  /** The feed as it is at start: the canary advisory affecting only Jinja2 < 2.0. */
  init(): void {
    rmSync(this.dir, { recursive: true, force: true });
    mkdirSync(this.dir, { recursive: true });
    this.writeCanary('2025-01-01T00:00:00Z', '2.0');
  }

  /** The 1 % change: the canary advisory's fix moves up, so the fleet's Jinja2 2.10 becomes affected. */
  changeCanary(): void {
    this.writeCanary('2025-02-01T00:00:00Z', '2.11.3');
  }

  /** The 100 % change: a new advisory about glibc, musl and Go's stdlib, with no fix yet. */
  addLibcAdvisory(): void {
    const open = [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }] }];
    const affected = [
      { package: { ecosystem: 'Debian:12', name: 'glibc' }, ranges: open },
      { package: { ecosystem: 'Ubuntu:18.04:LTS', name: 'glibc' }, ranges: open },
      ...ALPINE_RELEASES.map((release) => ({
        package: { ecosystem: `Alpine:v${release.split('.').slice(0, 2).join('.')}`, name: 'musl' },
        ranges: open,
      })),
      { package: { ecosystem: 'Go', name: 'stdlib' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '0' }] }] },
    ];
    this.write(LIBC_ID, record(LIBC_ID, '2025-03-01T00:00:00Z', 'Benchmark advisory for the C library of every image', affected));
  }

  private writeCanary(modified: string, fixed: string): void {
    const affected = [
      { package: { ecosystem: 'PyPI', name: CANARY.matchName }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }] },
    ];
    this.write(CANARY_ID, record(CANARY_ID, modified, `Benchmark advisory for ${CANARY.name} before ${fixed}`, affected));
  }

  private write(id: string, value: object): void {
    writeFileSync(join(this.dir, `${id}.json`), `${JSON.stringify(value, null, 2)}\n`);
  }
}
