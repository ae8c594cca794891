import { ManifestSecurityStatusEntity } from './manifest-security-status.entity';
import { NotificationEntity, WebhookEntity } from './webhook.entities';

export { STATUS_SCHEMA } from './schema';
export { ManifestSecurityStatusEntity, NotificationEntity, WebhookEntity };

/** Every entity security-status registers. */
export const STATUS_ENTITIES = [ManifestSecurityStatusEntity, WebhookEntity, NotificationEntity];
