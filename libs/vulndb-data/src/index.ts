export * from './entities';
export * from './vulndb-reader';
