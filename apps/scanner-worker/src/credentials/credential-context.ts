/** What a registry secret is bound to: a ciphertext copied onto another row does not decrypt. */
export const credentialContext = (tenantId: string, registry: string) => `${tenantId}\n${registry}`;
