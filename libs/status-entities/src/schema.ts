/**
 * The security-status slice (schema `status`). Only security-status imports this lib (the lint
 * rule `data-of:security-status` says so); other services read through `@vulnscan/status-data`.
 */
export const STATUS_SCHEMA = 'status';
