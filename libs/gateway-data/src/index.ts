export * from './api-key-reader';
export * from './key-revocations';
