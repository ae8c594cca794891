/** Why security-status refuses a command (webhooks). The values are API error codes: never change one. */
export enum StatusErrorCode {
  InvalidWebhookUrl = 'invalid_webhook_url',
  HostNotAllowed = 'host_not_allowed',
  HostUnresolvable = 'host_unresolvable',
  WebhookLimitReached = 'webhook_limit_reached',
  WebhookNotFound = 'webhook_not_found',
  /** No WEBHOOK_ENCRYPTION_KEY: signing secrets cannot be stored. */
  WebhooksDisabled = 'webhooks_disabled',
}
