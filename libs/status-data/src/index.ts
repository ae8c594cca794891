export * from './entities';
export * from './status-reader';
export * from './webhook-entities';
export * from './webhook-reader';
