export * from './entities';
export * from './intake-rules';
