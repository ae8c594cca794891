import { MessageHandler } from '@nestjs/microservices';
import { isKnownWireName, MessageEnvelope, WireName } from '@vulnscan/contracts';
import { isObservable, lastValueFrom, Observable, of } from 'rxjs';
import { QueueSpec, ResolvedMessagingOptions } from '../messaging.options';
import { QueueDeclaration } from '../topology/declare-topology';
import { TopologyNames } from '../topology/topology-names';
import { AmqpContext } from './amqp-context';

export type RouteKind = 'event' | 'command';

/** One routing key this service handles: which contract validates it, which queue it arrives on. */
export interface Route {
  routingKey: string;
  contract: WireName;
  kind: RouteKind;
  queue: string;
  invoke(envelope: MessageEnvelope, context: AmqpContext): Promise<unknown>;
}

export interface TransportPlan {
  routes: Map<string, Route>;
  queues: QueueDeclaration[];
}

/**
 * A message that crashes the process before it can be acked comes back forever; past this many
 * deliveries the broker parks it in the dead-letter queue instead. Far above what reconnects cause.
 */
export const POISON_DELIVERY_LIMIT = 20;

type NestHandler = MessageHandler<MessageEnvelope, AmqpContext, unknown>;

/** Derives routes and queues from the handlers Nest registered plus the lib's built-in ones. */
export function planTransport(
  handlers: Map<string, NestHandler>,
  builtins: Route[],
  options: ResolvedMessagingOptions,
  names: TopologyNames,
): TransportPlan {
  const specs = new Map(options.queues.map((spec) => [spec.name, spec]));
  const routes = new Map<string, Route>();
  for (const [pattern, handler] of handlers) {
    routes.set(pattern, nestRoute(pattern, handler, specs, names));
  }
  for (const route of builtins) routes.set(route.routingKey, route);

  const keysOn = (queue: string) => [...routes.values()].filter((r) => r.queue === queue).map((r) => r.routingKey);
  const queues: QueueDeclaration[] = [];
  const serviceKeys = keysOn(names.serviceQueue);
  if (serviceKeys.length > 0) {
    queues.push({
      name: names.serviceQueue,
      arguments: {
        'x-queue-type': 'quorum',
        'x-delivery-limit': POISON_DELIVERY_LIMIT,
        'x-dead-letter-exchange': '',
        'x-dead-letter-routing-key': names.deadLetterQueue,
      },
      bindings: serviceKeys,
      prefetch: options.prefetch,
      retried: true,
    });
  }
  queues.push({
    name: names.commandsQueue,
    arguments: { 'x-queue-type': 'quorum' },
    bindings: keysOn(names.commandsQueue),
    prefetch: options.prefetch,
    retried: false,
  });
  for (const spec of options.queues) {
    const name = names.workQueue(spec.name);
    const handled = keysOn(name);
    queues.push({
      name,
      arguments: workQueueArguments(spec, names),
      bindings: [...new Set([...spec.routingKeys, ...handled])],
      prefetch: handled.length > 0 ? (spec.prefetch ?? options.prefetch) : undefined,
      retried: handled.length > 0,
    });
  }
  queues.push({ name: names.deadLetterQueue, arguments: { 'x-queue-type': 'quorum' }, bindings: [], prefetch: 10, retried: false });
  return { routes, queues };
}

/**
 * Every service declaring a shared work queue must pass identical arguments (the broker refuses a
 * redeclaration that differs), so they depend on the spec alone, never on the declaring service.
 */
function workQueueArguments(spec: QueueSpec, names: TopologyNames): Record<string, string | number> {
  const args: Record<string, string | number> = { 'x-queue-type': 'quorum' };
  if (spec.deliveryLimit !== undefined) args['x-delivery-limit'] = spec.deliveryLimit;
  if (spec.deadLetterRoutingKey !== undefined) {
    args['x-dead-letter-exchange'] = names.exchange;
    args['x-dead-letter-routing-key'] = spec.deadLetterRoutingKey;
  }
  return args;
}

function nestRoute(pattern: string, handler: NestHandler, specs: Map<string, QueueSpec>, names: TopologyNames): Route {
  if (!isKnownWireName(pattern)) {
    throw new Error(`messaging: handler pattern ${JSON.stringify(pattern)} is not a wire name from @vulnscan/contracts`);
  }
  const kind: RouteKind = handler.isEventHandler ? 'event' : 'command';
  const queueNames = new Set<unknown>();
  for (let h: NestHandler | undefined = handler; h; h = h.next as NestHandler | undefined) queueNames.add(h.extras?.queue);
  if (queueNames.size > 1) {
    // Nest chains all handlers of one pattern into one call, so they cannot listen on different queues.
    throw new Error(`messaging: handlers of ${pattern} name different queues (${[...queueNames].join(', ')})`);
  }
  const [queueName] = queueNames;
  let queue = kind === 'event' ? names.serviceQueue : names.commandsQueue;
  if (queueName !== undefined) {
    if (kind === 'command')
      throw new Error(`messaging: command handler ${pattern} cannot choose a queue; commands use ${names.commandsQueue}`);
    if (typeof queueName !== 'string' || !specs.has(queueName)) {
      throw new Error(
        `messaging: handler ${pattern} names queue ${JSON.stringify(queueName)}, which is not in the messaging options' queues`,
      );
    }
    queue = names.workQueue(queueName);
  }
  return {
    routingKey: pattern,
    contract: pattern,
    kind,
    queue,
    async invoke(envelope, context) {
      // Nest returns the handler's value, a promise or an observable; errors arrive as an erroring observable.
      const result: unknown = await handler(envelope, context);
      const stream: Observable<unknown> = isObservable(result) ? result : of(result);
      return lastValueFrom(stream, { defaultValue: undefined });
    },
  };
}
