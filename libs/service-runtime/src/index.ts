export * from './service-definition';
export * from './service-runtime.module';
export * from './problem';
export * from './run-service';
export * from './secret-cipher';
export * from './service-access';
