import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { EnvelopeOf, Events } from '@vulnscan/contracts';
import { FeedSync } from './feed-sync.service';

/**
 * FeedSyncRequested (the admin API, or any service): one worker runs it. Imports are idempotent
 * (an unchanged feed writes nothing), so a redelivered request costs time, never data.
 */
@Controller()
export class FeedSyncController {
  constructor(private readonly sync: FeedSync) {}

  @EventPattern(Events.FeedSyncRequested)
  async requested(@Payload() message: EnvelopeOf<typeof Events.FeedSyncRequested>): Promise<void> {
    await this.sync.syncNow(message.payload.feeds);
  }
}
