import type { DataSource } from 'typeorm';
import { SecurityStatus } from './security-status';
import { StatusReader } from './status-reader';

function recording(rows: unknown[] = []) {
  const calls: { sql: string; params: unknown[] }[] = [];
  const dataSource = {
    query: async (sql: string, params: unknown[] = []) => {
      calls.push({ sql: sql.replace(/\s+/g, ' ').trim(), params });
      return rows;
    },
  } as unknown as DataSource;
  return { calls, reader: new StatusReader(dataSource) };
}

describe('StatusReader (plain SQL over status.manifest_security_status)', () => {
  it('finds a manifest within one tenant, narrowed to an upstream and repository when given', async () => {
    const { calls, reader } = recording();
    await reader.find('t1', 'sha256:ab');
    await reader.find('t1', 'sha256:ab', { upstream: 'docker.io', repository: 'library/alpine' });
    expect(calls[0].sql).toContain('WHERE tenant_id = $1 AND manifest_digest = $2 ORDER BY upstream ASC, repository ASC');
    expect(calls[0].params).toEqual(['t1', 'sha256:ab']);
    expect(calls[1].sql).toContain('WHERE tenant_id = $1 AND manifest_digest = $2 AND upstream = $3 AND repository = $4 ORDER');
    expect(calls[1].params).toEqual(['t1', 'sha256:ab', 'docker.io', 'library/alpine']);
  });

  it('lists newest first after the cursor id, one row more than asked to know about a next page', async () => {
    const [c, b, d] = [
      '0190a000-0000-7000-8000-00000000000c',
      '0190a000-0000-7000-8000-00000000000b',
      '0190a000-0000-7000-8000-00000000000d',
    ];
    const cursorOf = (id: string) => Buffer.from(JSON.stringify([id])).toString('base64url');
    const { calls, reader } = recording([{ id: c }, { id: b }]);
    const page = await reader.list('t1', { status: SecurityStatus.Unsupported, cursor: cursorOf(d), limit: 1 });
    expect(calls[0].sql).toContain('WHERE tenant_id = $1 AND status = $3 AND id < $4 ORDER BY id DESC LIMIT $2');
    expect(calls[0].params).toEqual(['t1', 2, 'unsupported', d]);
    expect(page).toEqual({ items: [{ id: c }], nextCursor: cursorOf(c) });
  });
});
