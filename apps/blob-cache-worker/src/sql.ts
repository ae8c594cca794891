import type { EntityManager } from 'typeorm';

export { CONFIG_TENANT } from './upstreams/upstream-config';

/**
 * Rows of a statement with RETURNING: TypeORM's postgres driver answers UPDATE and DELETE with
 * `[rows, affected]` but INSERT and SELECT with the rows alone.
 */
export async function returning<T>(manager: Pick<EntityManager, 'query'>, sql: string, params: unknown[]): Promise<T[]> {
  const result = (await manager.query(sql, params)) as unknown;
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') {
    return result[0] as T[];
  }
  return result as T[];
}
