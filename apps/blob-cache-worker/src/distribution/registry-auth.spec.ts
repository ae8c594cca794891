import type { ApiKeyPrincipal, ApiKeyReader, KeyRevocation, KeyRevocations } from '@vulnscan/gateway-data';
import type { BlobCacheEnv } from '../env';
import { OciError } from './oci-error';
import { parseAuthorization, RegistryAuth, sameSecret } from './registry-auth';

const basic = (userPass: string) => `Basic ${Buffer.from(userPass).toString('base64')}`;

function rejection(run: () => unknown): OciError {
  try {
    run();
  } catch (error) {
    return error as OciError;
  }
  throw new Error('expected a rejection');
}

describe('parseAuthorization', () => {
  it('reads no header as anonymous, Bearer as the secret, Basic as username and password', () => {
    expect(parseAuthorization(undefined)).toBeUndefined();
    expect(parseAuthorization('  ')).toBeUndefined();
    expect(parseAuthorization('Bearer vsk_abc')).toEqual({ secret: 'vsk_abc' });
    expect(parseAuthorization('bearer  vsk_abc ')).toEqual({ secret: 'vsk_abc' });
    expect(parseAuthorization(basic('x:vsk_abc'))).toEqual({ username: 'x', secret: 'vsk_abc' });
    expect(parseAuthorization(basic(':vsk:with:colons'))).toEqual({ username: '', secret: 'vsk:with:colons' });
  });

  it.each([
    ['Digest abc', 'Bearer <API key> or Basic'],
    ['Bearer', 'Bearer <API key> or Basic'],
    ['Basic !!!', 'not base64'],
    [basic('no-colon'), 'not <username>:<password>'],
    [basic('user:'), 'password is empty'],
  ])('answers %j with 401 UNAUTHORIZED and the Basic challenge', (header, message) => {
    const error = rejection(() => parseAuthorization(header));
    expect(error).toBeInstanceOf(OciError);
    expect(error.status).toBe(401);
    expect(error.code).toBe('UNAUTHORIZED');
    expect(error.headers['WWW-Authenticate']).toBe('Basic realm="vulnscan"');
    expect(error.message).toContain(message);
  });
});

describe('sameSecret', () => {
  it('compares whole secrets of any length', () => {
    expect(sameSecret('internal-token-123456', 'internal-token-123456')).toBe(true);
    expect(sameSecret('internal-token-12345', 'internal-token-123456')).toBe(false);
    expect(sameSecret('', 'x')).toBe(false);
  });
});

describe('RegistryAuth', () => {
  const keys: Record<string, ApiKeyPrincipal> = {
    'key-a': { keyId: '1', tenantId: 'team-a', scopes: ['scans:read'] },
    'key-admin': { keyId: '2', tenantId: 'default', scopes: ['admin'] },
    'key-write': { keyId: '3', tenantId: 'team-a', scopes: ['scans:write'] },
    'key-operator': { keyId: '4', tenantId: 'default', scopes: ['platform:admin'] },
    'key-tenant-admin': { keyId: '5', tenantId: 'team-b', scopes: ['admin'] },
  };
  const lookups: string[] = [];
  const reader = {
    verify: async (secret: string) => {
      lookups.push(secret);
      return keys[secret] ?? null;
    },
  } as unknown as ApiKeyReader;
  const subscribers: { revoked: (revocation: KeyRevocation) => void; missed: () => void }[] = [];
  const revocations = {
    subscribe: (revoked: (revocation: KeyRevocation) => void, missed: () => void) => subscribers.push({ revoked, missed }),
  } as unknown as KeyRevocations;
  const auth = new RegistryAuth({ CACHE_INTERNAL_TOKEN: 'internal-token-0123456789' } as BlobCacheEnv, reader, revocations);

  it('knows tenants by their API keys, as Bearer or Basic password, and caches the lookup', async () => {
    await expect(auth.authenticate(undefined)).resolves.toEqual({ kind: 'anonymous' });
    await expect(auth.authenticate('Bearer key-a')).resolves.toEqual({ kind: 'tenant', tenantId: 'team-a' });
    await expect(auth.authenticate(basic('anything:key-a'))).resolves.toEqual({ kind: 'tenant', tenantId: 'team-a' });
    await expect(auth.authenticate('Bearer key-admin')).resolves.toEqual({ kind: 'tenant', tenantId: 'default' });
    expect(lookups.filter((secret) => secret === 'key-a')).toHaveLength(1);
  });

  it("forgets the cached keys the gateway revokes (a deleted tenant's, one key), and all of them after a missed announcement", async () => {
    const looked = (secret: string) => lookups.filter((looked) => looked === secret).length;
    await auth.authenticate('Bearer key-a');
    await auth.authenticate('Bearer key-admin');
    const [a, admin] = [looked('key-a'), looked('key-admin')];
    subscribers[0].revoked({ tenantId: 'team-a' });
    await auth.authenticate('Bearer key-a');
    await auth.authenticate('Bearer key-admin');
    expect([looked('key-a'), looked('key-admin')]).toEqual([a + 1, admin]);
    subscribers[0].revoked({ keyId: '2' });
    await auth.authenticate('Bearer key-admin');
    expect(looked('key-admin')).toBe(admin + 1);
    subscribers[0].missed();
    await auth.authenticate('Bearer key-a');
    expect(looked('key-a')).toBe(a + 2);
  });

  it('lets scans:read, a tenant admin and the operator pull, each as its own tenant', async () => {
    await expect(auth.authenticate('Bearer key-tenant-admin')).resolves.toEqual({ kind: 'tenant', tenantId: 'team-b' });
    await expect(auth.authenticate('Bearer key-operator')).resolves.toEqual({ kind: 'tenant', tenantId: 'default' });
  });

  it('refuses anonymous pulls with the Basic challenge unless CACHE_ANONYMOUS_PULLS is on', async () => {
    await expect(auth.requirePuller(undefined)).rejects.toMatchObject({
      status: 401,
      code: 'UNAUTHORIZED',
      headers: { 'WWW-Authenticate': 'Basic realm="vulnscan"' },
    });
    await expect(auth.requirePuller('Bearer key-a')).resolves.toEqual({ kind: 'tenant', tenantId: 'team-a' });
    const open = new RegistryAuth({ CACHE_ANONYMOUS_PULLS: true } as BlobCacheEnv, reader, revocations);
    await expect(open.requirePuller(undefined)).resolves.toEqual({ kind: 'anonymous' });
  });

  it('refuses unknown keys (401) and keys without scans:read (403)', async () => {
    await expect(auth.authenticate('Bearer nope')).rejects.toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
    await expect(auth.authenticate('Bearer key-write')).rejects.toMatchObject({ status: 403, code: 'DENIED' });
  });

  it('takes the internal token with the tenant as the Basic username', async () => {
    await expect(auth.authenticate(basic('team-a:internal-token-0123456789'))).resolves.toEqual({ kind: 'internal', tenantId: 'team-a' });
    await expect(auth.authenticate('Bearer internal-token-0123456789')).resolves.toEqual({ kind: 'internal' });
    expect(lookups).not.toContain('internal-token-0123456789');
  });
});
