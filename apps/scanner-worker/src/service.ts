import { Events } from '@vulnscan/contracts';
import { ServiceDefinition } from '@vulnscan/platform';
import { SCAN_DATA_ENTITIES } from '@vulnscan/scan-data';
import { WorkerEnv } from './env';

export const WORKER_SCHEMA = 'worker';

export const workerService: ServiceDefinition<WorkerEnv> = {
  name: 'scanner-worker',
  schema: WORKER_SCHEMA,
  env: WorkerEnv,
  defaultPort: 8082,
  // Scans are read (is this attempt still wanted?) through the scheduler's read-only reader.
  entities: [...SCAN_DATA_ENTITIES],
  migrations: [],
  queues: (env) => [
    {
      name: 'scan-jobs',
      routingKeys: [Events.ScanJobQueued],
      deliveryLimit: env.WORK_QUEUE_DELIVERY_LIMIT,
      deadLetterRoutingKey: Events.ScanJobDeadLettered,
      prefetch: env.WORKER_CONCURRENCY,
    },
  ],
};
