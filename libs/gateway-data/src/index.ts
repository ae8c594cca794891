export * from './api-key-reader';
