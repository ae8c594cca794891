import { Inject, Injectable } from '@nestjs/common';
import { parseEncryptionKey, SecretCipher, SERVICE_ENV } from '@vulnscan/service-runtime';
import { OutboundHostPolicy } from '@vulnscan/outbound-http';
import { SecurityStatusEnv } from '../env';
import { checkWebhookUrl, CheckedUrl } from './webhook-url';

/** The outbound host policy of webhook URLs and the cipher of their secrets, both from the environment. */
@Injectable()
export class WebhookSecurity {
  /** Null without WEBHOOK_ENCRYPTION_KEY: webhooks can then be neither created nor delivered. */
  readonly cipher: SecretCipher | null;
  private readonly policy: OutboundHostPolicy;

  constructor(@Inject(SERVICE_ENV) env: SecurityStatusEnv) {
    this.cipher = env.WEBHOOK_ENCRYPTION_KEY ? new SecretCipher(parseEncryptionKey(env.WEBHOOK_ENCRYPTION_KEY)) : null;
    this.policy = new OutboundHostPolicy({ allowedHosts: env.WEBHOOK_ALLOWED_HOSTS, insecureRegistries: [] });
  }

  checkUrl(value: string): Promise<CheckedUrl> {
    return checkWebhookUrl(value, this.policy);
  }
}
