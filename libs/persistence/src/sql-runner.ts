/**
 * What a read-only reader needs to run plain SQL: a DataSource, or the EntityManager of the
 * caller's transaction (both have `query`). Readers take this rather than entity repositories, so
 * a service reads another's tables without registering its entities.
 */
export interface SqlRunner {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}
