import { CACHE_ENTITIES, CACHE_SCHEMA } from '@vulnscan/cache-entities';
import { ServiceDefinition } from '@vulnscan/service-runtime';
import { BlobCacheEnv } from './env';
import { CacheInitial1764000000001 } from './migrations/1764000000001-CacheInitial';
import { CacheUpstreams1764000000002 } from './migrations/1764000000002-CacheUpstreams';
import { CacheBlobSources1764000000003 } from './migrations/1764000000003-CacheBlobSources';

/**
 * The OCI pull-through cache. Its HTTP server carries the registry API (/v2/) beside health and
 * metrics; it consumes its own BlobDownloaded (on its service queue) to complete manifests, and
 * the gateway's upstream commands.
 */
export const cacheService: ServiceDefinition<BlobCacheEnv> = {
  name: 'blob-cache-worker',
  schema: CACHE_SCHEMA,
  env: BlobCacheEnv,
  defaultPort: 5001,
  entities: CACHE_ENTITIES,
  migrations: [CacheInitial1764000000001, CacheUpstreams1764000000002, CacheBlobSources1764000000003],
  // libs/cache-data: the API's list of upstreams (never their sealed passwords' plaintext).
  readableBy: { gateway: ['upstreams'] },
};
