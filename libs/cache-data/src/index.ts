export * from './entities';
export * from './cache-reader';
