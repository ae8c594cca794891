import { ServiceDefinition } from '@vulnscan/service-runtime';
import { STATUS_ENTITIES, STATUS_SCHEMA } from '@vulnscan/status-entities';
import { SecurityStatusEnv } from './env';
import { SecurityStatus1764000000001 } from './migrations/1764000000001-SecurityStatus';
import { EarlyScanStates1764000000003 } from './migrations/1764000000003-EarlyScanStates';
import { CacheScanRates1764000000004 } from './migrations/1764000000004-CacheScanRates';
import { WEBHOOK_MIGRATIONS } from './webhooks';

export const statusService: ServiceDefinition<SecurityStatusEnv> = {
  name: 'security-status',
  schema: STATUS_SCHEMA,
  env: SecurityStatusEnv,
  defaultPort: 8083,
  // Its own tables only: scans are followed through the scheduler's events; webhooks diff an image's
  // scans through the scheduler's and the worker's read-only readers.
  entities: STATUS_ENTITIES,
  migrations: [SecurityStatus1764000000001, ...WEBHOOK_MIGRATIONS, EarlyScanStates1764000000003, CacheScanRates1764000000004],
  // libs/status-data: the API's manifest statuses, webhooks and their deliveries.
  readableBy: { gateway: ['manifest_security_status', 'webhooks', 'notifications'] },
};
