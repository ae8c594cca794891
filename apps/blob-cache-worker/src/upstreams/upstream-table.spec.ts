import type { DataSource } from 'typeorm';
import { PutUpstreamCommand } from '@vulnscan/contracts';
import { CommandRejectedError } from '@vulnscan/messaging';
import type { BlobCacheEnv } from '../env';
import { UpstreamTable } from './upstream-table';

describe('UpstreamTable.put (checks before any database work)', () => {
  const untouched = {
    transaction: () => {
      throw new Error('the database must not be reached');
    },
  } as unknown as DataSource;
  const table = (env: Partial<BlobCacheEnv>) => new UpstreamTable(untouched, { CACHE_ALLOWED_HOSTS: [], ...env } as BlobCacheEnv);
  const command = (fields: Partial<PutUpstreamCommand>): PutUpstreamCommand => ({
    tenantId: 'team-a',
    registry: 'ghcr.io',
    url: 'https://ghcr.io',
    ...fields,
  });
  const none = () => false;

  it('refuses a registry the configuration has, Docker Hub aliases included', async () => {
    const configured = (registry: string) => registry === 'docker.io';
    await expect(
      table({}).put(command({ registry: 'Index.Docker.IO', url: 'https://registry-1.docker.io' }), configured),
    ).rejects.toMatchObject({ code: 'upstream_conflict' });
  });

  it('answers credentials_disabled for credentials without CACHE_ENCRYPTION_KEY', async () => {
    const error = (await table({})
      .put(command({ username: 'u', password: 'p' }), none)
      .catch((e: unknown) => e)) as CommandRejectedError;
    expect(error).toBeInstanceOf(CommandRejectedError);
    expect(error.code).toBe('credentials_disabled');
    expect(error.message).toContain('CACHE_ENCRYPTION_KEY');
  });

  it('refuses half credentials, bad URLs and hosts outside the policy', async () => {
    await expect(table({}).put(command({ username: 'u' }), none)).rejects.toMatchObject({
      code: 'validation_failed',
      message: expect.stringContaining('together'),
    });
    await expect(table({}).put(command({ url: 'https://ghcr.io/v2' }), none)).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(table({}).put(command({ url: 'http://169.254.169.254' }), none)).rejects.toMatchObject({
      code: 'host_not_allowed',
    });
    await expect(table({}).put(command({ url: 'http://127.0.0.1:5000' }), none)).rejects.toMatchObject({
      code: 'host_not_allowed',
    });
  });
});
