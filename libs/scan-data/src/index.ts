export * from './scan-status';
export * from './scan-reader';
export * from './batch-reader';
export * from './scheduler-status-reader';
