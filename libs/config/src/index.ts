export * from './load-config';
export * from './transforms';
export * from './base-env';
export * from './manifest-budget-env';
export * from './secret';
export * from './tenant-entries';
