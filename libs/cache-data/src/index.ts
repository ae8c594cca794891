export * from './cache-reader';
export * from './upstream-reader';
