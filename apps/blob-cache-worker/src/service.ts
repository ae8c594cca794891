import { CACHE_DATA_ENTITIES, CACHE_SCHEMA } from '@vulnscan/cache-data';
import { ServiceDefinition } from '@vulnscan/platform';
import { BlobCacheEnv } from './env';
import { CacheInitial1764000000001 } from './migrations/1764000000001-CacheInitial';

/**
 * The OCI pull-through cache. Its HTTP server carries the registry API (/v2/) beside health and
 * metrics; it consumes its own BlobDownloaded (on its service queue) to complete manifests.
 */
export const cacheService: ServiceDefinition<BlobCacheEnv> = {
  name: 'blob-cache-worker',
  schema: CACHE_SCHEMA,
  env: BlobCacheEnv,
  defaultPort: 5001,
  entities: CACHE_DATA_ENTITIES,
  migrations: [CacheInitial1764000000001],
};
