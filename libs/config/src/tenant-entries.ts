/** The tenant operator-configured access serves when an entry names none. */
export const BOOTSTRAP_TENANT = 'default';

const TENANT_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** One entry of an operator's list and the tenants it serves: `*` for every tenant. */
export interface TenantEntry {
  readonly value: string;
  readonly tenants: '*' | ReadonlySet<string>;
}

/**
 * Reads `<entry>@<tenant>|<tenant>…` (or `<entry>@*`); an entry without `@` serves the bootstrap
 * tenant only, so a private host or a credential an operator configured never serves tenants by
 * default. Throws naming the entry when a tenant id is not one.
 */
export function parseTenantEntry(text: string): TenantEntry {
  const at = text.lastIndexOf('@');
  if (at < 0) return { value: text.trim(), tenants: new Set([BOOTSTRAP_TENANT]) };
  const value = text.slice(0, at).trim();
  const names = text.slice(at + 1).trim();
  if (!value) throw new Error(`"${text}" names no entry before @`);
  if (names === '*') return { value, tenants: '*' };
  return { value, tenants: tenantSet(names.split('|'), `"${text}"`) };
}

/** A list of tenant ids as configuration gives them (`*` for all); throws naming `where` on a bad one. */
export function tenantSet(names: readonly string[], where: string): '*' | ReadonlySet<string> {
  const trimmed = names.map((name) => name.trim());
  if (trimmed.length === 1 && trimmed[0] === '*') return '*';
  if (trimmed.length === 0) throw new Error(`${where} names no tenant`);
  for (const name of trimmed) {
    if (!TENANT_ID.test(name)) throw new Error(`${where}: "${name}" is not a tenant id (a lowercase slug, or * for every tenant)`);
  }
  return new Set(trimmed);
}

export const servesTenant = (entry: Pick<TenantEntry, 'tenants'>, tenantId: string): boolean =>
  entry.tenants === '*' || entry.tenants.has(tenantId);

/** The values of the entries that serve `tenantId`. */
export const entriesFor = (entries: readonly TenantEntry[], tenantId: string): string[] =>
  entries.filter((entry) => servesTenant(entry, tenantId)).map((entry) => entry.value);

/** Why a list of `<entry>[@tenants]` items does not parse, or undefined when it does. */
export function tenantEntriesProblem(value: unknown): string | undefined {
  if (!Array.isArray(value)) return 'must be a comma-separated list';
  for (const item of value) {
    try {
      parseTenantEntry(String(item));
    } catch (error) {
      return (error as Error).message;
    }
  }
  return undefined;
}
