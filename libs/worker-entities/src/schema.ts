/**
 * The scanner-worker's slice (schema `worker`). Only the scanner-worker imports this lib (the lint
 * rule `data-of:scanner-worker` says so); other services read through `@vulnscan/sbom-data`,
 * `@vulnscan/vulndb-data` and `@vulnscan/registry-credentials`.
 */
export const WORKER_SCHEMA = 'worker';
