import { Events } from '@vulnscan/contracts';
import { ServiceDefinition } from '@vulnscan/service-runtime';
import { SCHEDULER_ENTITIES, SCHEDULER_SCHEMA } from '@vulnscan/scheduler-entities';
import { SchedulerEnv } from './env';
import { SchedulerInitial1764000000001 } from './migrations/1764000000001-SchedulerInitial';
import { ScansByDigest1764000000002 } from './migrations/1764000000002-ScansByDigest';
import { ScansViaCache1764000000003 } from './migrations/1764000000003-ScansViaCache';
import { SchedulesAndBatches1764000000004 } from './migrations/1764000000004-SchedulesAndBatches';
import { ScansFollowed1764000000005 } from './migrations/1764000000005-ScansFollowed';

export const schedulerService: ServiceDefinition<SchedulerEnv> = {
  name: 'scan-scheduler',
  schema: SCHEDULER_SCHEMA,
  env: SchedulerEnv,
  defaultPort: 8081,
  // Its own tables only; SBOMs are looked up (which manifests hold a package?) through the worker's read-only reader.
  entities: SCHEDULER_ENTITIES,
  migrations: [
    SchedulerInitial1764000000001,
    ScansByDigest1764000000002,
    ScansViaCache1764000000003,
    SchedulesAndBatches1764000000004,
    ScansFollowed1764000000005,
  ],
  // libs/scan-data: the API's scans, schedules, batches and status; the worker's "is this attempt
  // still wanted?"; the webhooks' previous completed scan of an image.
  readableBy: {
    gateway: ['scans', 'scan_attempts', 'schedules', 'scan_batches', 'scheduler_instances'],
    'scanner-worker': ['scans'],
    'security-status': ['scans'],
  },
  // The scheduler publishes jobs; it declares the work queue too, so no job is unroutable
  // before the first worker has started.
  queues: (env) => [
    {
      name: 'scan-jobs',
      routingKeys: [Events.ScanJobQueued],
      deliveryLimit: env.WORK_QUEUE_DELIVERY_LIMIT,
      deadLetterRoutingKey: Events.ScanJobDeadLettered,
    },
  ],
};
