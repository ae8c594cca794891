import type { FeedItem } from '../model';
import { errorMessage } from './errors';
import type { FeedStats } from './io/limits';

/** Distinct values, first occurrence first. */
export function unique<T>(values: Iterable<T>): T[] {
  return [...new Set(values)];
}

/** Optional fields stay absent rather than present and undefined, so records compare and serialize cleanly. */
export function setIfDefined<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}

export function skippedItem(location: string, reason: string): FeedItem {
  return { kind: 'skipped', skipped: { location, reason } };
}

/** Passes the items on, counting them in `stats`. */
export async function* counted(items: AsyncIterable<FeedItem>, stats: FeedStats): AsyncGenerator<FeedItem> {
  for await (const item of items) {
    if (item.kind === 'advisory') stats.advisories++;
    else stats.skipped++;
    yield item;
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export type ParsedJson = { ok: true; value: unknown } | { ok: false; error: string };

/** A JSON document (a leading byte order mark allowed), or why it is not one. */
export function parseJson(data: Buffer | string): ParsedJson {
  const text = typeof data === 'string' ? data : data.toString('utf8');
  try {
    return { ok: true, value: JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text) };
  } catch (err) {
    return { ok: false, error: errorMessage(err) };
  }
}
