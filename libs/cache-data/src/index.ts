export * from './entities';
export * from './cache-reader';
export * from './upstream-entities';
export * from './upstream-reader';
