import { BaseRpcContext } from '@nestjs/microservices';
import { ConsumeMessage } from 'amqplib';

type AmqpContextArgs = [message: ConsumeMessage, queue: string, attempt: number];

/** What `@Ctx()` gives a handler: the raw delivery, the queue it came from and the attempt number. */
export class AmqpContext extends BaseRpcContext<AmqpContextArgs> {
  getMessage(): ConsumeMessage {
    return this.args[0];
  }

  getQueue(): string {
    return this.args[1];
  }

  /** 1 on the first delivery, 2 on the first retry, ... up to maxAttempts. */
  getAttempt(): number {
    return this.args[2];
  }
}
