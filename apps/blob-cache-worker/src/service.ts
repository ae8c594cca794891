import { ServiceDefinition } from '@vulnscan/platform';
import { BlobCacheEnv } from './env';

/** Boots, migrates and reports health; its behaviour arrives with the proxy-cache issue. */
export const cacheService: ServiceDefinition<BlobCacheEnv> = {
  name: 'blob-cache-worker',
  schema: 'cache',
  env: BlobCacheEnv,
  defaultPort: 5001,
  entities: [],
  migrations: [],
};
