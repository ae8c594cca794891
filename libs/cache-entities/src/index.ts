import { CachedBlobEntity, CachedManifestEntity, CachedTagEntity, ManifestBlobEntity, StoredBlobEntity } from './cache.entities';
import { CacheUpstreamEntity } from './upstream.entity';

export { CACHE_SCHEMA } from './schema';
export type { BlobState } from './cache.entities';
export { CachedBlobEntity, CachedManifestEntity, CachedTagEntity, CacheUpstreamEntity, ManifestBlobEntity, StoredBlobEntity };

/** Every entity the blob-cache-worker registers. */
export const CACHE_ENTITIES = [
  CachedManifestEntity,
  CachedBlobEntity,
  ManifestBlobEntity,
  StoredBlobEntity,
  CachedTagEntity,
  CacheUpstreamEntity,
];
