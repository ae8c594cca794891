import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { ListTargetImagesCommand, ScheduleTargetDto, ScheduleTargetKind } from '@vulnscan/contracts';
import { CommandRejectedError } from '@vulnscan/messaging';
import { TestRegistry, fixturesDir, pushImage, startCountingRelay, startRegistry } from '@vulnscan/testing';
import type { RegistryCredentials } from '../credentials/registry-credentials.service';
import { WorkerEnv } from '../env';
import { TargetImages } from './target-images.service';
import { OperatorRegistries } from '../registry/operator-registries';
import { TenantRegistryClients } from '../registry/tenant-registry-clients';

const execFileAsync = promisify(execFile);
const ALPINE = () => path.join(fixturesDir(), 'images', 'alpine-310.docker.tar.gz');
const USER = { username: 'scheduler', password: 'expand-the-targets' };

/**
 * The expansion against a real docker-registry. Only the credential store is replaced (by one
 * tenant's credentials); test/e2e/target-images.int-spec.ts runs the real one in a worker process.
 */
describe('TargetImages against docker-registry', () => {
  let open: TestRegistry;
  let basic: TestRegistry;
  let targets: TargetImages;
  let clients: TenantRegistryClients;
  const stops: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    [open, basic] = await Promise.all([startRegistry(), startRegistry({ auth: 'basic', users: [USER] })]);
    stops.push(
      () => open.stop(),
      () => basic.stop(),
    );
    await Promise.all([pushImage(ALPINE(), open, 'library/alpine:3.10'), pushImage(ALPINE(), basic, 'team/private:1.0', USER)]);
    // One at a time: concurrent writes of the same content make docker-registry's filesystem driver answer 500.
    for (const target of ['library/alpine:3.11', 'library/alpine:edge', 'team/api:1.0', 'team/api:1.1', 'team/api:2.0', 'team/web:1.0']) {
      await copy(open, 'library/alpine:3.10', target);
    }
    await blobOnly(open, 'team/broken');
    const env = Object.assign(new WorkerEnv(), {
      // operator configuration serves only the tenants it names: here every tenant
      INSECURE_REGISTRIES: [`${open.host}@*`, `${basic.host}@*`],
      REGISTRY_ALLOWED_HOSTS: [`${open.host}@*`, `${basic.host}@*`],
    });
    const credentials = {
      lookup: async (tenantId: string, host: string) => (tenantId === 'acme' && host === basic.host ? USER : undefined),
    };
    clients = new TenantRegistryClients(env, credentials as RegistryCredentials, new OperatorRegistries(env));
    targets = new TargetImages(clients);
  });

  afterAll(async () => {
    clients?.onApplicationShutdown();
    for (const stop of stops.reverse()) await stop();
  });

  const list = (target: Partial<ScheduleTargetDto>, limit = 100, tenantId = 'acme') =>
    targets.list(Object.assign(new ListTargetImagesCommand(), { tenantId, target: target as ScheduleTargetDto, limit }));

  async function rejection(promise: Promise<unknown>): Promise<CommandRejectedError> {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    if (!(error instanceof CommandRejectedError)) throw new Error(`expected a CommandRejectedError, got ${String(error)}`);
    return error;
  }

  it('answers an image target with its normalized reference, without asking any registry', async () => {
    expect(await list({ kind: ScheduleTargetKind.Image, image: 'alpine:3.10' })).toEqual({
      images: ['docker.io/library/alpine:3.10'],
      truncated: false,
    });
    expect(await list({ kind: ScheduleTargetKind.Image, image: 'alpine:3.10', tagFilter: '^3\\.11$' })).toEqual({
      images: [],
      truncated: false,
    });
  });

  it('answers a repository target with every tag, filtered on the tag only', async () => {
    const repository = { kind: ScheduleTargetKind.Repository, registry: open.host, repository: 'library/alpine' };
    expect(await list(repository)).toEqual({
      images: [`${open.host}/library/alpine:3.10`, `${open.host}/library/alpine:3.11`, `${open.host}/library/alpine:edge`],
      truncated: false,
    });
    // "alpine" is in every reference but in no tag.
    expect(await list({ ...repository, tagFilter: 'alpine' })).toEqual({ images: [], truncated: false });
    expect(await list({ ...repository, tagFilter: '^3\\.' }, 1)).toEqual({ images: [`${open.host}/library/alpine:3.10`], truncated: true });
  });

  it('answers a catalog target with every tag of every repository, skipping a repository without manifests', async () => {
    const catalog = { kind: ScheduleTargetKind.Catalog, registry: open.host };
    const all = [
      ...['3.10', '3.11', 'edge'].map((tag) => `${open.host}/library/alpine:${tag}`),
      ...['1.0', '1.1', '2.0'].map((tag) => `${open.host}/team/api:${tag}`),
      `${open.host}/team/web:1.0`,
    ];
    expect(await list(catalog)).toEqual({ images: all, truncated: false });
    expect(await list(catalog, 7)).toEqual({ images: all, truncated: false });
    expect(await list(catalog, 4)).toEqual({ images: all.slice(0, 4), truncated: true });
    // Exactly the limit matches: the rest of the catalog is read to be sure nothing else does.
    expect(await list({ ...catalog, tagFilter: '^1\\.' }, 3)).toEqual({
      images: [`${open.host}/team/api:1.0`, `${open.host}/team/api:1.1`, `${open.host}/team/web:1.0`],
      truncated: false,
    });
    expect(await list({ ...catalog, tagFilter: '^1\\.' }, 2)).toEqual({
      images: [`${open.host}/team/api:1.0`, `${open.host}/team/api:1.1`],
      truncated: true,
    });
  });

  it('lists with the tenant’s own credentials, and answers 401 to a tenant without any', async () => {
    const catalog = { kind: ScheduleTargetKind.Catalog, registry: basic.host };
    expect(await list(catalog)).toEqual({ images: [`${basic.host}/team/private:1.0`], truncated: false });
    const denied = await rejection(list(catalog, 100, 'globex'));
    expect(denied).toMatchObject({ code: 'unauthorized' });
    expect(denied.message).toBe(
      `Cannot list the catalog of ${basic.host}: registry ${basic.host} denied access to catalog ` +
        `anonymously (no credentials are configured for ${basic.host}) (HTTP 401)`,
    );
  });

  it('answers 404 for a repository the registry does not know', async () => {
    const missing = await rejection(list({ kind: ScheduleTargetKind.Repository, registry: open.host, repository: 'nobody/nothing' }));
    expect(missing).toMatchObject({ code: 'not_found' });
    expect(missing.message).toBe(
      `Cannot list the tags of ${open.host}/nobody/nothing: tag list of repository nobody/nothing on registry ${open.host} not found (HTTP 404, NAME_UNKNOWN)`,
    );
  });

  it('answers 403 for a registry the outbound policy does not allow', async () => {
    const relay = await startCountingRelay(open.url);
    stops.push(() => relay.stop());
    const denied = await rejection(list({ kind: ScheduleTargetKind.Catalog, registry: relay.host }));
    expect(denied).toMatchObject({ code: 'host_not_allowed' });
    expect(denied.message).toContain(`Cannot list the catalog of ${relay.host}: host "${relay.host}" resolves to 127.0.0.1`);
    expect(relay.requests).toEqual([]);
  });

  it('answers 429 with the registry’s wait, and 502 when the registry is unreachable', async () => {
    const relay = await startCountingRelay(open.url);
    stops.push(() => relay.stop());
    const env = Object.assign(new WorkerEnv(), { INSECURE_REGISTRIES: [`${relay.host}@*`], REGISTRY_ALLOWED_HOSTS: [`${relay.host}@*`] });
    const relayClients = new TenantRegistryClients(
      env,
      { lookup: async () => undefined } as unknown as RegistryCredentials,
      new OperatorRegistries(env),
    );
    const viaRelay = new TargetImages(relayClients);
    stops.push(async () => relayClients.onApplicationShutdown());
    const target = {
      tenantId: 'acme',
      target: { kind: ScheduleTargetKind.Repository, registry: relay.host, repository: 'team/api' },
      limit: 10,
    };

    relay.answer(() => true, { status: 429, headers: { 'Retry-After': '30' }, body: '{"errors":[{"code":"TOOMANYREQUESTS"}]}' });
    const limited = await rejection(viaRelay.list(target));
    expect(limited).toMatchObject({ code: 'rate_limited' });
    expect(limited.message).toBe(
      `Cannot list the tags of ${relay.host}/team/api: registry ${relay.host} is rate limiting (HTTP 429, TOOMANYREQUESTS) tag list of team/api; ` +
        'the registry asks to retry after 30 s',
    );

    await relay.stop();
    const down = await rejection(viaRelay.list(target));
    expect(down).toMatchObject({ code: 'unreachable' });
    expect(down.message).toMatch(
      new RegExp(
        `^Cannot list the tags of ${relay.host}/team/api: registry ${relay.host} is unreachable for tag list of repository team\\/api .*(ECONNREFUSED|ECONNRESET)`,
      ),
    );
  });

  it('answers invalid_target for an invalid target or tag filter, before any registry request', async () => {
    expect(
      await rejection(list({ kind: ScheduleTargetKind.Repository, registry: open.host, repository: 'team/api', tagFilter: '(' })),
    ).toMatchObject({
      code: 'invalid_target',
      message: 'target.tagFilter is not a valid regular expression: Invalid regular expression: /(/: Unterminated group',
    });
    expect(await rejection(list({ kind: ScheduleTargetKind.Catalog, registry: 'intranet' }))).toMatchObject({
      code: 'invalid_target',
    });
    expect(await rejection(list({ kind: ScheduleTargetKind.Repository, registry: open.host }))).toMatchObject({
      code: 'invalid_target',
      message: 'target.repository is required for a repository target',
    });
  });
});

async function copy(reg: TestRegistry, from: string, to: string): Promise<void> {
  await execFileAsync('skopeo', [
    ...['--insecure-policy', 'copy', '--src-tls-verify=false', '--dest-tls-verify=false'],
    `docker://${reg.host}/${from}`,
    `docker://${reg.host}/${to}`,
  ]);
}

/** What an interrupted first push leaves: a repository in the catalog whose tag list is 404. */
async function blobOnly(reg: TestRegistry, repository: string): Promise<void> {
  const data = Buffer.from('a layer whose manifest never arrived');
  const started = await fetch(`${reg.url}/v2/${repository}/blobs/uploads/`, { method: 'POST' });
  const upload = new URL(started.headers.get('location')!, reg.url);
  upload.searchParams.set('digest', `sha256:${createHash('sha256').update(data).digest('hex')}`);
  const put = await fetch(upload, { method: 'PUT', body: data, headers: { 'Content-Type': 'application/octet-stream' } });
  if (put.status !== 201) throw new Error(`blob upload to ${repository} answered ${put.status}`);
}
