import { Controller } from '@nestjs/common';
import { Ctx, MessagePattern, Payload } from '@nestjs/microservices';
import { CommandReplyOf, Commands, EnvelopeOf, WorkerErrorCode } from '@vulnscan/contracts';
import { AmqpContext, CommandRejectedError, MessageHeaders } from '@vulnscan/messaging';
import { TargetImages } from './target-images.service';

/** The scheduler expands schedule targets here: the worker holds the registry credentials. */
@Controller()
export class TargetImagesController {
  constructor(private readonly targets: TargetImages) {}

  @MessagePattern(Commands.ListTargetImages)
  async list(
    @Payload() message: EnvelopeOf<typeof Commands.ListTargetImages>,
    @Ctx() context: AmqpContext,
  ): Promise<CommandReplyOf<typeof Commands.ListTargetImages>> {
    // Past the requester's deadline nobody reads the answer, so a long catalog walk stops there.
    const deadline = Number(context.getMessage().properties.headers?.[MessageHeaders.Deadline]);
    const signal = Number.isFinite(deadline) ? AbortSignal.timeout(Math.max(1, deadline - Date.now())) : undefined;
    try {
      return await this.targets.list(message.payload, signal);
    } catch (error) {
      if (signal?.aborted && !(error instanceof CommandRejectedError)) {
        throw new CommandRejectedError(
          WorkerErrorCode.Timeout,
          `Gave up listing the images of the target: the requester's deadline passed`,
        );
      }
      throw error;
    }
  }
}
