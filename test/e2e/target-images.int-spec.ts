import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Commands, ScheduleTargetDto, ScheduleTargetKind } from '@vulnscan/contracts';
import { AmqpConnection, AmqpRequester, CommandFailedError, resolveMessagingOptions } from '@vulnscan/messaging';
import { CountingRelay, fixturesDir, pushImage, startCountingRelay, startRegistry, TestRegistry } from '@vulnscan/testing';
import { TestPlatform, testSecret } from '../support/platform';

const execFileAsync = promisify(execFile);
const ALPINE = () => join(fixturesDir(), 'images/alpine-310.docker.tar.gz');
const USER = { username: 'scheduler', password: 'tags-of-every-repository' };

/**
 * ListTargetImages sent over RabbitMQ to a real scanner-worker process, which lists a real
 * docker-registry with the credentials a tenant stored through the worker's own command.
 */
describe('ListTargetImages through the scanner-worker', () => {
  let registry: TestRegistry;
  let relay: CountingRelay;
  let platform: TestPlatform;
  let connection: AmqpConnection;
  let requester: AmqpRequester;

  beforeAll(async () => {
    registry = await startRegistry({ auth: 'basic', users: [USER] });
    relay = await startCountingRelay(registry.url);
    await pushImage(ALPINE(), registry, 'library/alpine:3.10', USER);
    // One at a time: concurrent writes of the same content make docker-registry's filesystem driver answer 500.
    for (const target of ['library/alpine:3.11', 'team/api:1.0', 'team/api:1.1']) await copy(registry, 'library/alpine:3.10', target);

    platform = new TestPlatform({ INSECURE_REGISTRIES: `${registry.host}@*,${relay.host}@*`, CREDENTIALS_ENCRYPTION_KEY: testSecret() });
    await platform.start('scanner-worker');
    const options = resolveMessagingOptions({
      service: 'e2e-scheduler',
      schema: 'unused',
      amqpUrl: platform.amqpUrl,
      prefix: platform.prefix,
      databaseUrl: platform.databaseUrl,
      connectTimeoutMs: 10_000,
    });
    connection = new AmqpConnection(options);
    await connection.connect();
    requester = new AmqpRequester(connection, options);
    for (const host of [registry.host, relay.host]) {
      await requester.request(Commands.PutRegistryCredential, { tenantId: 'acme', registry: host, ...USER });
    }
  });

  afterAll(async () => {
    await requester?.onApplicationShutdown();
    await connection?.close();
    await platform?.stop();
    await relay?.stop();
    await registry?.stop();
  });

  const list = (tenantId: string, target: ScheduleTargetDto, limit = 100) =>
    requester.request(Commands.ListTargetImages, { tenantId, target, limit }, { tenantId, timeoutMs: 15_000 });

  async function failure(promise: Promise<unknown>): Promise<CommandFailedError> {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!(error instanceof CommandFailedError)) throw new Error(`expected a CommandFailedError, got ${String(error)}`);
    return error;
  }

  it('expands a catalog with the tenant’s stored credentials', async () => {
    expect(await list('acme', { kind: ScheduleTargetKind.Catalog, registry: registry.host })).toEqual({
      images: [
        `${registry.host}/library/alpine:3.10`,
        `${registry.host}/library/alpine:3.11`,
        `${registry.host}/team/api:1.0`,
        `${registry.host}/team/api:1.1`,
      ],
      truncated: false,
    });
  });

  it('filters a repository’s tags and stops at the limit', async () => {
    const target = { kind: ScheduleTargetKind.Repository, registry: registry.host, repository: 'team/api', tagFilter: '^1\\.' };
    expect(await list('acme', target, 1)).toEqual({ images: [`${registry.host}/team/api:1.0`], truncated: true });
  });

  it('answers unauthorized (401) for a tenant without credentials, and not_found (404) for a missing repository', async () => {
    const denied = await failure(list('globex', { kind: ScheduleTargetKind.Catalog, registry: registry.host }));
    expect(denied).toMatchObject({ code: 'unauthorized' });
    expect(denied.message).toContain(`Cannot list the catalog of ${registry.host}: registry ${registry.host} denied access`);

    const missing = await failure(
      list('acme', { kind: ScheduleTargetKind.Repository, registry: registry.host, repository: 'team/nothing' }),
    );
    expect(missing).toMatchObject({ code: 'not_found' });
  });

  it('answers rate_limited (429) with the registry’s Retry-After', async () => {
    const release = relay.answer(({ path }) => path === '/v2/_catalog', { status: 429, headers: { 'Retry-After': '20' } });
    try {
      const limited = await failure(list('acme', { kind: ScheduleTargetKind.Catalog, registry: relay.host }));
      expect(limited).toMatchObject({ code: 'rate_limited', retryAfterSeconds: 20 });
    } finally {
      release();
    }
  });

  it('answers 400 for a registry no image reference can name', async () => {
    // An invalid tagFilter never gets this far: the contract's validation stops it at the sender.
    await expect(list('acme', { kind: ScheduleTargetKind.Catalog, registry: registry.host, tagFilter: '(' })).rejects.toThrow(
      /target\.tagFilter/,
    );
    const dotless = await failure(list('acme', { kind: ScheduleTargetKind.Catalog, registry: 'intranet' }));
    expect(dotless).toMatchObject({ code: 'invalid_target' });
    expect(dotless.message).toBe(
      'target.registry "intranet" cannot name a registry in image references: it needs a "." or a port, or must be localhost',
    );
  });
});

async function copy(registry: TestRegistry, from: string, to: string): Promise<void> {
  const creds = `${USER.username}:${USER.password}`;
  await execFileAsync('skopeo', [
    ...['--insecure-policy', 'copy', '--src-tls-verify=false', '--dest-tls-verify=false', '--src-creds', creds, '--dest-creds', creds],
    `docker://${registry.host}/${from}`,
    `docker://${registry.host}/${to}`,
  ]);
}
