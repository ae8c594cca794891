export * from './entity';
export * from './reader';
