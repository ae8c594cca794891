export * from './entities';
export * from './scan-reader';
