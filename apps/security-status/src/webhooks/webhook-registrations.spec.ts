import { WebhookEvent } from '@vulnscan/contracts';
import { CommandRejectedError } from '@vulnscan/messaging';
import type { DataSource } from 'typeorm';
import { SecurityStatusEnv } from '../env';
import { WebhookRegistrations } from './webhook-registrations.service';
import type { WebhookSecurity } from './webhook-security';

describe('WebhookRegistrations', () => {
  const command = { tenantId: 'team-a', url: 'https://hooks.example.com/x', events: [WebhookEvent.ScanCompleted] };

  it('refuses (webhooks_disabled) rather than store a secret it could not protect', async () => {
    const registrations = new WebhookRegistrations({} as DataSource, new SecurityStatusEnv(), {
      cipher: null,
    } as unknown as WebhookSecurity);
    const refusal = registrations.create(command);
    await expect(refusal).rejects.toBeInstanceOf(CommandRejectedError);
    await expect(refusal).rejects.toMatchObject({
      code: 'webhooks_disabled',
      message: expect.stringContaining('WEBHOOK_ENCRYPTION_KEY'),
    });
  });
});
