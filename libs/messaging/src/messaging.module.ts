import {
  BeforeApplicationShutdown,
  DynamicModule,
  Global,
  InjectionToken,
  Module,
  ModuleMetadata,
  OnApplicationShutdown,
  OptionalFactoryDependency,
} from '@nestjs/common';
import { AmqpConnection } from './connection/amqp-connection';
import { DeadLetterGauge } from './dead-letters/dead-letter-gauge';
import { DeadLetters } from './dead-letters/dead-letters';
import { Inbox } from './inbox/inbox';
import { TenantTombstones } from './tenants/tenant-tombstones';
import { MESSAGING_OPTIONS, MessagingOptions, resolveMessagingOptions } from './messaging.options';
import { Outbox } from './outbox/outbox';
import { OutboxRelay } from './outbox/outbox-relay';
import { AmqpRequester } from './request/amqp-requester';
import { AmqpTransport } from './transport/amqp-transport';

export interface MessagingModuleAsyncOptions {
  imports?: ModuleMetadata['imports'];
  inject?: Array<InjectionToken | OptionalFactoryDependency>;
  useFactory: (...args: never[]) => MessagingOptions | Promise<MessagingOptions>;
}

const PROVIDERS = [
  AmqpConnection,
  AmqpTransport,
  AmqpRequester,
  Outbox,
  OutboxRelay,
  Inbox,
  TenantTombstones,
  DeadLetters,
  DeadLetterGauge,
];

/**
 * Messaging for one service. Expects a TypeORM DataSource to be injectable (TypeOrmModule.forRootAsync).
 * Apps start consuming with `app.connectMicroservice({ strategy: app.get(AmqpTransport) })`.
 */
@Global()
@Module({})
export class MessagingModule implements BeforeApplicationShutdown, OnApplicationShutdown {
  constructor(
    private readonly transport: AmqpTransport,
    private readonly relay: OutboxRelay,
    private readonly connection: AmqpConnection,
  ) {}

  static forRootAsync(options: MessagingModuleAsyncOptions): DynamicModule {
    const factory = options.useFactory as (...args: unknown[]) => MessagingOptions | Promise<MessagingOptions>;
    return {
      module: MessagingModule,
      global: true,
      imports: options.imports ?? [],
      providers: [
        {
          provide: MESSAGING_OPTIONS,
          inject: options.inject ?? [],
          useFactory: async (...args: unknown[]) => resolveMessagingOptions(await factory(...args)),
        },
        ...PROVIDERS,
      ],
      exports: [MESSAGING_OPTIONS, ...PROVIDERS],
    };
  }

  /**
   * Shutdown order matters and Nest runs one hook of all providers in parallel, so it is driven
   * from here: stop consuming and let in-flight handlers commit, then publish what they put in the
   * outbox, all while the DataSource (closed in TypeORM's onApplicationShutdown) is still open.
   */
  async beforeApplicationShutdown(): Promise<void> {
    await this.transport.close();
    await this.relay.stop();
  }

  /** Module hooks run after those of the module's providers: nothing publishes any more. */
  async onApplicationShutdown(): Promise<void> {
    await this.connection.close();
  }
}
