import { Controller, INestApplication, Inject } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { Events, MessageEnvelope, ScanJobKind, ScanJobQueuedPayload } from '@vulnscan/contracts';
import { v7 as uuidv7 } from 'uuid';
import { AmqpConnection, AmqpContext, Outbox, QueueSpec } from './index';
import { destroyBrokerSocket } from './test-support/crash';
import { cleanUp, createSchema, dataSourceOf, startTestApp, uniqueScope, waitFor } from './test-support/messaging-test-app';

const scope = uniqueScope('workq');
const SCAN_JOBS: QueueSpec = {
  name: 'scan-jobs',
  routingKeys: [Events.ScanJobQueued],
  deliveryLimit: 2,
  deadLetterRoutingKey: Events.ScanJobDeadLettered,
  prefetch: 1,
};

class Observed {
  readonly jobDeliveries: Array<{ id: string; queue: string }> = [];
  readonly deadLetteredJobs: Array<MessageEnvelope<ScanJobQueuedPayload>> = [];
  /** Called on every job delivery; the test uses it to crash the worker mid-job. */
  onJob: () => void = () => undefined;
}

@Controller()
class CrashingWorker {
  constructor(@Inject(Observed) private readonly observed: Observed) {}

  @EventPattern(Events.ScanJobQueued, { queue: 'scan-jobs' })
  async run(@Payload() job: MessageEnvelope<ScanJobQueuedPayload>, @Ctx() context: AmqpContext): Promise<void> {
    this.observed.jobDeliveries.push({ id: job.id, queue: context.getQueue() });
    this.observed.onJob();
    // Never finishes before the "crash": the job stays unacked.
    await new Promise((resolve) => setTimeout(resolve, 1500));
  }
}

@Controller()
class SchedulerSide {
  constructor(@Inject(Observed) private readonly observed: Observed) {}

  @EventPattern(Events.ScanJobDeadLettered)
  jobGaveUp(@Payload() job: MessageEnvelope<ScanJobQueuedPayload>): void {
    this.observed.deadLetteredJobs.push(job);
  }
}

describe('shared work queue with a delivery limit (real RabbitMQ)', () => {
  const observed = new Observed();
  let scheduler: INestApplication;
  let worker: INestApplication;

  beforeAll(async () => {
    await createSchema(scope);
    const providers = [{ provide: Observed, useValue: observed }];
    // The scheduler declares the work queue too (it publishes into it) with identical arguments.
    scheduler = await startTestApp({
      scope,
      options: { service: 'scheduler', queues: [SCAN_JOBS] },
      controllers: [SchedulerSide],
      providers,
    });
    worker = await startTestApp({
      scope,
      options: { service: 'worker', queues: [SCAN_JOBS], relayEnabled: false },
      controllers: [CrashingWorker],
      providers,
    });
  });

  afterAll(async () => {
    await worker?.close();
    await scheduler?.close();
    await cleanUp(scope, ['scheduler', 'worker'], [SCAN_JOBS]);
  });

  it('dead-letters a job that keeps crashing workers to the configured routing key', async () => {
    observed.onJob = () => destroyBrokerSocket(worker);
    const job = { scanId: uuidv7(), attempt: 1, kind: ScanJobKind.Scan, image: 'docker.io/library/alpine:3.20' };
    const envelope = await dataSourceOf(scheduler).transaction((manager) =>
      scheduler.get(Outbox).add(manager, { type: Events.ScanJobQueued, payload: job, tenantId: 'acme' }),
    );
    const [deadLettered] = await waitFor(
      'the dead-lettered job',
      () => observed.deadLetteredJobs.length > 0 && observed.deadLetteredJobs,
      20_000,
    );
    expect(deadLettered).toMatchObject({ id: envelope.id, type: Events.ScanJobQueued, tenantId: 'acme', payload: job });
    // Delivered to the shared queue (not a service queue) once plus `deliveryLimit` redeliveries.
    expect(observed.jobDeliveries).toEqual(Array.from({ length: 3 }, () => ({ id: envelope.id, queue: `${scope.prefix}.scan-jobs` })));
    observed.onJob = () => undefined;
    await waitFor('the worker reconnected', () => worker.get(AmqpConnection).isConnected());
  });
});
