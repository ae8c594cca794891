export * from './security-status';
export * from './delivery';
export * from './status-reader';
export * from './webhook-reader';
