export * from './read-bounded';
export * from './temp-spool';
