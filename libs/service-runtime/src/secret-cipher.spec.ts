import { randomBytes } from 'node:crypto';
import { parseEncryptionKey, SecretCipher } from './secret-cipher';

const secretContext = (tenantId: string, row: string) => `test\n${tenantId}\n${row}`;

describe('SecretCipher', () => {
  const cipher = new SecretCipher(randomBytes(32));

  it('round-trips a secret, never storing it in the clear, with a fresh IV each time', () => {
    const sealed = cipher.encrypt('whsec_abcdefghijklmnop', secretContext('team-a', 'id-1'));
    expect(sealed).toMatch(/^v1:/);
    expect(sealed).not.toContain('abcdefghijklmnop');
    expect(cipher.decrypt(sealed, secretContext('team-a', 'id-1'))).toBe('whsec_abcdefghijklmnop');
    expect(cipher.encrypt('same', secretContext('t', 'w'))).not.toBe(cipher.encrypt('same', secretContext('t', 'w')));
  });

  it('refuses a ciphertext moved to another row or tenant, tampered with, or under another key', () => {
    const sealed = cipher.encrypt('secret', secretContext('team-a', 'id-1'));
    expect(() => cipher.decrypt(sealed, secretContext('team-a', 'id-2'))).toThrow();
    expect(() => cipher.decrypt(sealed, secretContext('team-b', 'id-1'))).toThrow();
    const tampered = sealed.slice(0, -4) + (sealed.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expect(() => cipher.decrypt(tampered, secretContext('team-a', 'id-1'))).toThrow();
    expect(() => new SecretCipher(randomBytes(32)).decrypt(sealed, secretContext('team-a', 'id-1'))).toThrow();
    expect(() => cipher.decrypt('v1:AAAA', secretContext('team-a', 'id-1'))).toThrow(/truncated/);
  });

  it('accepts 32-byte keys as hex or base64 only', () => {
    expect(parseEncryptionKey('ab'.repeat(32))).toHaveLength(32);
    expect(parseEncryptionKey(randomBytes(32).toString('base64'))).toHaveLength(32);
    expect(() => parseEncryptionKey('short')).toThrow(/32 bytes/);
  });
});
