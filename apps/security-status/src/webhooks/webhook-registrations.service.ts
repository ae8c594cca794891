import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { CreatedWebhookView, CreateWebhookCommand, StatusErrorCode } from '@vulnscan/contracts';
import { CommandRejectedError } from '@vulnscan/messaging';
import { SecretCipher, SERVICE_ENV } from '@vulnscan/service-runtime';
import { presentWebhook } from '@vulnscan/status-data';
import { WebhookEntity } from '@vulnscan/status-entities';
import { SecurityStatusEnv } from '../env';
import { secretContext } from './secret-context';
import { generateSecret } from './signature';
import { WebhookSecurity } from './webhook-security';
import { WebhookUrlError } from './webhook-url';

/** Creates and deletes tenants' webhooks (the gateway's commands); secrets are stored encrypted. */
@Injectable()
export class WebhookRegistrations {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(SERVICE_ENV) private readonly env: SecurityStatusEnv,
    private readonly security: WebhookSecurity,
  ) {}

  /** `stillLive` runs first in the storing transaction and throws to refuse a command sent to a deleted tenant. */
  async create(
    command: CreateWebhookCommand,
    stillLive: (manager: EntityManager) => Promise<void> = async () => undefined,
  ): Promise<CreatedWebhookView> {
    const cipher = this.requireCipher();
    let url: URL;
    try {
      ({ url } = await this.security.checkUrl(command.url));
    } catch (error) {
      if (error instanceof WebhookUrlError) throw new CommandRejectedError(error.code, error.message);
      throw error;
    }
    const secret = command.secret ?? generateSecret();
    const events = [...new Set(command.events)].sort();
    const entity = await this.dataSource.transaction(async (manager) => {
      // One creation per tenant at a time, so the limit holds under concurrent requests.
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext('security-status:webhooks'), hashtext($1))`, [command.tenantId]);
      await stillLive(manager);
      const count = await manager.getRepository(WebhookEntity).countBy({ tenantId: command.tenantId });
      if (count >= this.env.WEBHOOK_MAX_PER_TENANT) {
        throw new CommandRejectedError(
          StatusErrorCode.WebhookLimitReached,
          `A tenant has at most ${this.env.WEBHOOK_MAX_PER_TENANT} webhooks (WEBHOOK_MAX_PER_TENANT); delete one first.`,
        );
      }
      const id = uuidv7();
      const row = manager.getRepository(WebhookEntity).create({
        id,
        tenantId: command.tenantId,
        url: url.href,
        events,
        secret: cipher.encrypt(secret, secretContext(command.tenantId, id)),
        createdAt: new Date(),
      });
      await manager.getRepository(WebhookEntity).insert(row);
      return row;
    });
    return { ...presentWebhook(entity), secret };
  }

  /** Its pending deliveries go with it (ON DELETE CASCADE); none is sent after this commits. */
  async delete(tenantId: string, id: string): Promise<void> {
    const result = await this.dataSource.getRepository(WebhookEntity).delete({ tenantId, id });
    if (!result.affected) throw new CommandRejectedError(StatusErrorCode.WebhookNotFound, `Webhook ${id} not found.`);
  }

  private requireCipher(): SecretCipher {
    if (!this.security.cipher) {
      throw new CommandRejectedError(
        StatusErrorCode.WebhooksDisabled,
        'Webhooks cannot be created: security-status has no WEBHOOK_ENCRYPTION_KEY to protect their signing secrets.',
      );
    }
    return this.security.cipher;
  }
}
