import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { EnvelopeOf, Events } from '@vulnscan/contracts';
import { Inbox } from '@vulnscan/messaging';
import { ManifestCompletion } from './manifest-completion';

const CONSUMER = 'manifest-completion';

/** The cache consumes its own BlobDownloaded: the completion check runs once the placement committed. */
@Controller()
export class BlobDownloadedController {
  constructor(
    private readonly inbox: Inbox,
    private readonly completion: ManifestCompletion,
  ) {}

  @EventPattern(Events.BlobDownloaded)
  async downloaded(@Payload() message: EnvelopeOf<typeof Events.BlobDownloaded>): Promise<void> {
    await this.inbox.runOnce(CONSUMER, message, (manager) => this.completion.afterPlacement(manager, message.payload.digest));
  }
}
