export * from './correlation';
export * from './metrics';
export * from './tracing';
export * from './logging';
export * from './health';
export * from './metrics-http';
export * from './event-loop-lag';
