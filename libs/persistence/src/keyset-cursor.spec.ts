import { InvalidCursorError, keysetCursor, PG_MICROSECOND_TIMESTAMP } from './keyset-cursor';

const AT = '2026-12-07T18:00:00.123Z';
const ID = '01939b8e-1c2d-7e3f-8a4b-5c6d7e8f9a0b';
const byTimeAndId = keysetCursor(['timestamp', 'uuid']);
const byId = keysetCursor(['uuid']);
const raw = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value), 'utf8').toString('base64url');

describe('keysetCursor', () => {
  it('round-trips the keyset values', () => {
    expect(byTimeAndId.decode(byTimeAndId.encode([AT, ID]))).toEqual([AT, ID]);
    expect(byId.decode(byId.encode([ID]))).toEqual([ID]);
  });

  it('is base64url of the JSON array of values (opaque to clients, but fixed here)', () => {
    expect(byId.encode([ID])).toBe(Buffer.from(`["${ID}"]`).toString('base64url'));
    expect(byTimeAndId.encode([AT, ID])).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it.each([
    ['empty', ''],
    ['not base64url', 'a+b/c='],
    ['not JSON', raw('2026-12-07|abc')],
    ['a JSON object', raw({ createdAt: AT, id: ID })],
    ['a JSON string', raw(JSON.stringify(ID))],
    ['too few parts', raw([AT])],
    ['too many parts', raw([AT, ID, ID])],
    ['a number part', raw([AT, 42])],
    ['a timestamp that is no date', raw(['yesterday', ID])],
    ['a timestamp not in toISOString form', raw(['2026-12-07', ID])],
    ['an id that is no uuid', raw([AT, 'abc'])],
    ['parts in the wrong order', raw([ID, AT])],
    ['over the length limit', 'A'.repeat(501)],
  ])('refuses %s', (_name, cursor) => {
    expect(() => byTimeAndId.decode(cursor)).toThrow(InvalidCursorError);
    expect(() => byTimeAndId.decode(cursor)).toThrow('cursor is not one this API issued');
  });

  it("refuses another list's cursor (arity differs)", () => {
    expect(() => byId.decode(byTimeAndId.encode([AT, ID]))).toThrow(InvalidCursorError);
    expect(() => byTimeAndId.decode(byId.encode([ID]))).toThrow(InvalidCursorError);
  });

  it('refuses a raw id, the form some lists used before', () => {
    expect(() => byId.decode(ID)).toThrow(InvalidCursorError);
  });

  it('keeps the microseconds of a Postgres timestamp, where rows inserted together share one value', () => {
    const byPgTimeAndId = keysetCursor(['pg-timestamp', 'uuid']);
    const at = '2026-12-07T18:00:00.123456Z';
    expect(byPgTimeAndId.decode(byPgTimeAndId.encode([at, ID]))).toEqual([at, ID]);
    for (const wrong of [AT, '2026-12-07T18:00:00.123456', '2026-12-07 18:00:00.123456+00', '2026-13-07T18:00:00.123456Z']) {
      expect(() => byPgTimeAndId.decode(raw([wrong, ID]))).toThrow(InvalidCursorError);
    }
    expect(PG_MICROSECOND_TIMESTAMP('s.created_at')).toBe(`to_char(s.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`);
  });
});
