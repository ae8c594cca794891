/** What a webhook's secret is bound to: a ciphertext copied onto another row does not decrypt. */
export const secretContext = (tenantId: string, webhookId: string) => `webhook\n${tenantId}\n${webhookId}`;
