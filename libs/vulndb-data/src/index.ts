export * from './entities';
export * from './vulndb-reader';
export * from './report-reader';
