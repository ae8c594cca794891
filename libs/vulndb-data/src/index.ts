export * from './vulndb-reader';
export * from './report-reader';
export * from './report-diff';
