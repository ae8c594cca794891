import { ServiceDefinition } from '@vulnscan/platform';
import { ScanEntity } from '@vulnscan/scan-data';
import { STATUS_DATA_ENTITIES, STATUS_SCHEMA } from '@vulnscan/status-data';
import { SecurityStatusEnv } from './env';
import { SecurityStatus1764000000001 } from './migrations/1764000000001-SecurityStatus';
import { WEBHOOK_ENTITIES, WEBHOOK_MIGRATIONS } from './webhooks';

export const statusService: ServiceDefinition<SecurityStatusEnv> = {
  name: 'security-status',
  schema: STATUS_SCHEMA,
  env: SecurityStatusEnv,
  defaultPort: 8083,
  // Scans are read (which state is the scan in? which came before?) through the scheduler's entity.
  entities: [...STATUS_DATA_ENTITIES, ScanEntity, ...WEBHOOK_ENTITIES],
  migrations: [SecurityStatus1764000000001, ...WEBHOOK_MIGRATIONS],
};
