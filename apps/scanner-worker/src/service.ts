import { Events } from '@vulnscan/contracts';
import { ServiceDefinition } from '@vulnscan/service-runtime';
import { WORKER_ENTITIES, WORKER_SCHEMA } from '@vulnscan/worker-entities';
import { WorkerEnv } from './env';
import { RegistryCredentials1764000000001 } from './migrations/1764000000001-RegistryCredentials';
import { Sboms1764000000002 } from './migrations/1764000000002-Sboms';
import { VulnDb1764000000003 } from './migrations/1764000000003-VulnDb';
import { Reports1764000000004 } from './migrations/1764000000004-Reports';
import { SbomPackageKeys1764000000005 } from './migrations/1764000000005-SbomPackageKeys';
import { SeverityById1764000000006 } from './migrations/1764000000006-SeverityById';

export const workerService: ServiceDefinition<WorkerEnv> = {
  name: 'scanner-worker',
  schema: WORKER_SCHEMA,
  env: WorkerEnv,
  defaultPort: 8082,
  // Its own tables only; scans are read (is this attempt still wanted?) through the scheduler's read-only reader.
  entities: WORKER_ENTITIES,
  migrations: [
    RegistryCredentials1764000000001,
    Sboms1764000000002,
    VulnDb1764000000003,
    Reports1764000000004,
    SbomPackageKeys1764000000005,
    SeverityById1764000000006,
  ],
  // libs/sbom-data, libs/vulndb-data and libs/registry-credentials: the API's SBOMs, reports, feeds
  // and credentials (never their secret column); the scheduler's re-match lookup; the webhooks' report diff.
  readableBy: {
    gateway: [
      'sboms',
      'reports',
      'findings',
      'feeds',
      'vulndb_versions',
      { table: 'registry_credentials', columns: ['id', 'tenant_id', 'registry', 'username', 'created_at', 'updated_at'] },
    ],
    'scan-scheduler': ['sbom_packages'],
    'security-status': ['reports', 'findings'],
  },
  queues: (env) => [
    {
      name: 'scan-jobs',
      routingKeys: [Events.ScanJobQueued],
      deliveryLimit: env.WORK_QUEUE_DELIVERY_LIMIT,
      deadLetterRoutingKey: Events.ScanJobDeadLettered,
      prefetch: env.SCAN_CONCURRENCY,
    },
  ],
};
