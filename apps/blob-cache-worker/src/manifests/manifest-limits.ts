import type { ManifestLimits } from '@vulnscan/registry';
import type { BlobCacheEnv } from '../env';

/** The cache's manifest settings as its registry clients and per-request budgets take them. */
export function cacheManifestLimits(env: BlobCacheEnv): ManifestLimits {
  return {
    maxBytes: env.MANIFEST_MAX_BYTES,
    maxIndexChildren: env.INDEX_MAX_CHILDREN,
    maxPullBytes: env.MANIFEST_PULL_MAX_BYTES,
    maxPullManifests: env.MANIFEST_PULL_MAX_COUNT,
  };
}
