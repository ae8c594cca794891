import { counter, gauge } from '@vulnscan/observability';

/** The cache's own metrics, served at /metrics with the platform's. */
export const CacheMetrics = {
  /** kind: manifest | blob; result: hit (served from the cache) | miss (fetched upstream or not held). */
  requests: () => counter('blob_cache_requests_total', 'Manifest and blob requests by kind and cache result', ['kind', 'result']),
  /** source: cache (storage or database) | upstream (streamed through while downloading). */
  bytesServed: () => counter('blob_cache_served_bytes_total', 'Blob and manifest bytes sent to clients, by source', ['source']),
  downloadsInFlight: () => gauge('blob_cache_downloads_in_flight', 'Upstream blob downloads running in this process', []),
  /** outcome: placed | failed. */
  downloads: () => counter('blob_cache_downloads_total', 'Finished upstream blob downloads by outcome', ['outcome']),
  /** Bytes removed from storage to stay under CACHE_MAX_BYTES. */
  evictedBytes: () => counter('blob_cache_evicted_bytes_total', 'Blob bytes evicted from storage (least recently used first)', []),
};
