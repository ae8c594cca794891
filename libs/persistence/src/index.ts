export * from './naming';
export * from './connection-errors';
export * from './data-source';
export * from './migrate';
export * from './database-roles';
export * from './scram-verifier';
export * from './keyset-cursor';
export * from './sql-runner';
