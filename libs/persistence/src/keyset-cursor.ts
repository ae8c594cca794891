/** A cursor a client sent that no page of ours issued (or one for another list). */
export class InvalidCursorError extends Error {
  constructor() {
    super('cursor is not one this API issued');
    this.name = 'InvalidCursorError';
  }
}

/**
 * What one keyset value is: a timestamp (ISO 8601, as `Date#toISOString` writes it), a Postgres
 * timestamp to the microsecond (`PG_MICROSECOND_TIMESTAMP` reads it so), or a UUID. A column
 * Postgres fills with now() needs the microseconds: rows inserted together share one value that a
 * JS Date would truncate, and the next page would skip them.
 */
export type CursorPart = 'timestamp' | 'pg-timestamp' | 'uuid';

/** SQL of a timestamptz column as the `pg-timestamp` cursor part stores it (UTC, six fraction digits). */
export const PG_MICROSECOND_TIMESTAMP = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** One string per keyset part, in order. */
export type CursorValues<P extends readonly CursorPart[]> = { readonly [K in keyof P]: string };

export interface KeysetCursor<P extends readonly CursorPart[]> {
  /** The opaque cursor for the page after the row with these keyset values. */
  encode(values: CursorValues<P>): string;
  /** The keyset values of a cursor `encode` issued; anything else is an InvalidCursorError. */
  decode(cursor: string): CursorValues<P>;
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const PG_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Longer cursors than any keyset of ours encodes to are refused before decoding. */
const MAX_CURSOR_LENGTH = 500;

const PART_CHECKS: Record<CursorPart, (value: string) => boolean> = {
  timestamp: (value) => {
    const time = Date.parse(value);
    return !Number.isNaN(time) && new Date(time).toISOString() === value;
  },
  'pg-timestamp': (value) => PG_TIMESTAMP.test(value) && !Number.isNaN(Date.parse(value)),
  uuid: (value) => UUID.test(value),
};

/**
 * The codec of keyset-pagination cursors: base64url of the JSON array of the last row's keyset
 * values. Clients treat it as opaque; decoding is strict (the arity and every part are checked)
 * so a forged or truncated cursor is a 400, never a query on garbage.
 */
export function keysetCursor<const P extends readonly CursorPart[]>(parts: P): KeysetCursor<P> {
  return {
    encode: (values) => Buffer.from(JSON.stringify(values), 'utf8').toString('base64url'),
    decode: (cursor) => {
      if (cursor.length > MAX_CURSOR_LENGTH || !BASE64URL.test(cursor)) throw new InvalidCursorError();
      let value: unknown;
      try {
        value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
      } catch {
        throw new InvalidCursorError();
      }
      if (!Array.isArray(value) || value.length !== parts.length) throw new InvalidCursorError();
      const valid = value.every((part: unknown, index) => typeof part === 'string' && PART_CHECKS[parts[index]](part));
      if (!valid) throw new InvalidCursorError();
      return value as unknown as CursorValues<P>;
    },
  };
}
