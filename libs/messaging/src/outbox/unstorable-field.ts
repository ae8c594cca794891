import { hasUnstorableCharacters } from '@vulnscan/contracts';

/** The path of the first string in `value` that Postgres jsonb cannot store, if any. */
export function unstorableField(value: unknown, path = 'payload'): string | undefined {
  if (typeof value === 'string') return hasUnstorableCharacters(value) ? path : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, child] of Object.entries(value)) {
    const found = unstorableField(child, Array.isArray(value) ? `${path}[${key}]` : `${path}.${key}`);
    if (found) return found;
  }
  return undefined;
}
