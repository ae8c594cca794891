/**
 * The blob cache's slice (schema `cache`). Only the blob-cache-worker imports this lib (the lint
 * rule `data-of:blob-cache-worker` says so); other services read through `@vulnscan/cache-data`.
 */
export const CACHE_SCHEMA = 'cache';
