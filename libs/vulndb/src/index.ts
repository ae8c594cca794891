export * from './model';
export * from './feeds';
export * from './severity';
export * from './matching';
