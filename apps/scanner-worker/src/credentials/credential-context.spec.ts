import { randomBytes } from 'node:crypto';
import { parseEncryptionKey, SecretCipher } from '@vulnscan/service-runtime';
import { credentialContext } from './credential-context';

describe('SecretCipher', () => {
  const cipher = new SecretCipher(randomBytes(32));

  it('round-trips a secret and never stores it in the clear', () => {
    const sealed = cipher.encrypt('s3cret-pa55', credentialContext('team-a', 'ghcr.io'));
    expect(sealed).toMatch(/^v1:/);
    expect(sealed).not.toContain('s3cret');
    expect(cipher.decrypt(sealed, credentialContext('team-a', 'ghcr.io'))).toBe('s3cret-pa55');
  });

  it('uses a fresh IV each time', () => {
    const context = credentialContext('t', 'r');
    expect(cipher.encrypt('same', context)).not.toBe(cipher.encrypt('same', context));
  });

  it('refuses a ciphertext moved to another tenant or registry, or tampered with', () => {
    const sealed = cipher.encrypt('pw', credentialContext('team-a', 'ghcr.io'));
    expect(() => cipher.decrypt(sealed, credentialContext('team-b', 'ghcr.io'))).toThrow();
    expect(() => cipher.decrypt(sealed, credentialContext('team-a', 'quay.io'))).toThrow();
    const tampered = sealed.slice(0, -4) + (sealed.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expect(() => cipher.decrypt(tampered, credentialContext('team-a', 'ghcr.io'))).toThrow();
    expect(() => new SecretCipher(randomBytes(32)).decrypt(sealed, credentialContext('team-a', 'ghcr.io'))).toThrow();
  });

  it('accepts 32-byte keys as hex or base64 only', () => {
    expect(parseEncryptionKey('a'.repeat(64))).toHaveLength(32);
    expect(parseEncryptionKey(randomBytes(32).toString('base64'))).toHaveLength(32);
    expect(() => parseEncryptionKey('short')).toThrow(/32 bytes/);
  });
});
