import { randomBytes } from 'node:crypto';
import { IsOptional } from 'class-validator';
import { ConfigError, loadConfig } from './load-config';
import { IsSecret, secretProblem } from './secret';

class SecretEnv {
  @IsOptional()
  @IsSecret()
  SOME_TOKEN?: string;
}

describe('secrets', () => {
  it.each([
    ['64 hex characters', randomBytes(32).toString('hex')],
    ['base64 of 32 bytes', randomBytes(32).toString('base64')],
    ['base64url of 32 bytes', randomBytes(32).toString('base64url')],
    ['a prefixed API key', `vsk_${randomBytes(32).toString('base64url')}`],
  ])('accepts %s', (_what, value) => {
    expect(secretProblem(value)).toBeUndefined();
  });

  it.each([
    ['the Kubernetes template', 'CHANGE-ME-64-hex-characters'],
    ['a template key', 'change-me-local-admin-key-0123456789abcdefghijklmnopqrstuvwxyz'],
    ['a tutorial value', 'example-token-example-token-example-token-example'],
  ])('refuses %s as a placeholder', (_what, value) => {
    expect(secretProblem(value)).toMatch(/placeholder/);
  });

  it.each([
    ['16 random bytes in hex', randomBytes(16).toString('hex')],
    ['a repeated pair', 'cd'.repeat(32)],
    ['all zeros', '0'.repeat(64)],
    ['a short phrase', 'vulnscan-local-admin-key'],
  ])('refuses %s as too weak', (_what, value) => {
    expect(secretProblem(value)).toMatch(/32 random bytes/);
  });

  it('names the variable but never prints its value', () => {
    const weak = 'CHANGE-ME-internal-token';
    let thrown: unknown;
    try {
      loadConfig(SecretEnv, { SOME_TOKEN: weak });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as Error).message).toContain('SOME_TOKEN: is a placeholder');
    expect((thrown as Error).message).not.toContain(weak);
  });
});
