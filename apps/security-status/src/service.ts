import { ServiceDefinition } from '@vulnscan/platform';
import { SecurityStatusEnv } from './env';

/** Boots, migrates and reports health; its behaviour arrives with the proxy-cache issue. */
export const statusService: ServiceDefinition<SecurityStatusEnv> = {
  name: 'security-status',
  schema: 'status',
  env: SecurityStatusEnv,
  defaultPort: 8083,
  entities: [],
  migrations: [],
};
