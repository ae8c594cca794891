import { INestApplication } from '@nestjs/common';
import { Socket } from 'node:net';
import { AmqpConnection } from '../connection/amqp-connection';

/** Kills the app's broker socket from the client side, as a crashed process or a cut cable would. */
export function destroyBrokerSocket(app: INestApplication): void {
  const model = app.get(AmqpConnection).unwrap();
  if (!model) throw new Error('not connected');
  (model.connection as unknown as { stream: Socket }).stream.destroy();
}
