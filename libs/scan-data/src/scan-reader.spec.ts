import type { DataSource } from 'typeorm';
import { InvalidCursorError } from '@vulnscan/persistence';
import { ScanReader, ScanRow } from './scan-reader';
import { ScanStatus } from './scan-status';

/** A DataSource that records each query and answers with the rows given. */
function recording(rows: unknown[] = []) {
  const calls: { sql: string; params: unknown[] }[] = [];
  const dataSource = {
    query: async (sql: string, params: unknown[] = []) => {
      calls.push({ sql: sql.replace(/\s+/g, ' ').trim(), params });
      return rows;
    },
  } as unknown as DataSource;
  return { calls, reader: new ScanReader(dataSource) };
}

/** A row as list() reads it: the scan and its created_at to the microsecond, for the cursor. */
const row = (id: string, keysetAt: string) => ({ id, createdAt: new Date(keysetAt), keysetAt }) as ScanRow & { keysetAt: string };

describe('ScanReader (plain SQL over scheduler.scans)', () => {
  it('reads one scan of one tenant only', async () => {
    const { calls, reader } = recording([]);
    expect(await reader.findOne('t1', 's1')).toBeNull();
    expect(calls[0].sql).toMatch(/FROM scheduler\.scans s WHERE s\.tenant_id = \$1 AND s\.id = \$2$/);
    expect(calls[0].params).toEqual(['t1', 's1']);
  });

  it('numbers the filters after the tenant and the limit, and pages on (created_at, id)', async () => {
    const { calls, reader } = recording([row('b', '2026-01-02T00:00:00.123456Z'), row('a', '2026-01-01T00:00:00.000001Z')]);
    const cursor = Buffer.from(JSON.stringify(['2026-01-03T00:00:00.000042Z', '0190a000-0000-7000-8000-00000000000c'])).toString(
      'base64url',
    );
    const page = await reader.list('t1', { image: 'docker.io/library/alpine:3', status: ScanStatus.Failed, limit: 1, cursor });
    expect(calls[0].sql).toContain(
      'WHERE s.tenant_id = $1 AND s.image = $3 AND s.status = $4 AND (s.created_at < $5::timestamptz OR (s.created_at = $5::timestamptz AND s.id < $6)) ORDER BY s.created_at DESC, s.id DESC LIMIT $2',
    );
    expect(calls[0].params).toEqual([
      't1',
      2,
      'docker.io/library/alpine:3',
      'failed',
      '2026-01-03T00:00:00.000042Z',
      '0190a000-0000-7000-8000-00000000000c',
    ]);
    expect(page.items.map((scan) => scan.id)).toEqual(['b']);
    expect(JSON.parse(Buffer.from(page.nextCursor!, 'base64url').toString('utf8'))).toEqual(['2026-01-02T00:00:00.123456Z', 'b']);
  });

  it('has no next page when the rows fit, and refuses a cursor it did not issue', async () => {
    const { reader } = recording([row('a', '2026-01-01T00:00:00.000000Z')]);
    expect((await reader.list('t1', { limit: 1 })).nextCursor).toBeNull();
    await expect(reader.list('t1', { limit: 1, cursor: 'bm90LWpzb24' })).rejects.toBeInstanceOf(InvalidCursorError);
  });

  it("reads a scan's attempts through its tenant", async () => {
    const { calls, reader } = recording([]);
    await reader.attempts('t1', 's1');
    expect(calls[0].sql).toContain('FROM scheduler.scan_attempts a JOIN scheduler.scans s ON s.id = a.scan_id');
    expect(calls[0].sql).toContain('WHERE s.tenant_id = $1 AND a.scan_id = $2 ORDER BY a.attempt ASC');
    expect(calls[0].params).toEqual(['t1', 's1']);
  });
});
