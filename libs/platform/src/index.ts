export * from './service-definition';
export * from './platform.module';
export * from './problem';
export * from './run-service';
export * from './secret-cipher';
