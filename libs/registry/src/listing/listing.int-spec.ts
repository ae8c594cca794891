import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { ScanError, ScanErrorCode } from '@vulnscan/contracts';
import {
  CountingRelay,
  TestRegistry,
  fixturesDir,
  pushImage,
  startCountingRelay,
  startRegistry,
  startTokenServer,
} from '@vulnscan/testing';
import { OutboundHostPolicy } from '@vulnscan/outbound-http';
import { RegistryClient, RegistryClientOptions } from '../index';

const execFileAsync = promisify(execFile);
const ALPINE = () => path.join(fixturesDir(), 'images', 'alpine-310.docker.tar.gz');
const USER = { username: 'lister', password: 'l1st-every-tag' };
const MANIFEST_V2 = 'application/vnd.docker.distribution.manifest.v2+json';

/** Repositories and tags of the open registry: one fixture image under all of them. */
const LAYOUT: Record<string, string[]> = {
  'library/alpine': ['3.10', 'latest', '3.11', 'edge', '3.10.2'],
  'team/api': ['1.0', '2.0', '1.1'],
  'team/web': ['1.0'],
  zeta: ['v1'],
};

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function registry(options?: Parameters<typeof startRegistry>[0]): Promise<TestRegistry> {
  const started = await startRegistry(options);
  cleanups.push(() => started.stop());
  return started;
}

async function relayTo(reg: TestRegistry): Promise<CountingRelay> {
  const relay = await startCountingRelay(reg.url);
  cleanups.push(() => relay.stop());
  return relay;
}

function client(hosts: string[], extra: Partial<RegistryClientOptions> = {}): RegistryClient {
  const policy = new OutboundHostPolicy({ allowedHosts: hosts, insecureRegistries: [] });
  const created = new RegistryClient({ insecureRegistries: hosts, policy, requestTimeoutMs: 10_000, ...extra });
  cleanups.push(() => created.close());
  return created;
}

/** The pushed image under `repository:tags[0]` (skopeo mounts the blobs), then the same manifest under the other tags. */
async function publish(reg: TestRegistry, source: string, repository: string, tags: string[]): Promise<void> {
  await execFileAsync('skopeo', [
    ...['--insecure-policy', 'copy', '--src-tls-verify=false', '--dest-tls-verify=false'],
    `docker://${reg.host}/${source}`,
    `docker://${reg.host}/${repository}:${tags[0]}`,
  ]);
  const manifest = await fetch(`${reg.url}/v2/${repository}/manifests/${tags[0]}`, { headers: { Accept: MANIFEST_V2 } });
  const bytes = Buffer.from(await manifest.arrayBuffer());
  for (const tag of tags.slice(1)) {
    const put = await fetch(`${reg.url}/v2/${repository}/manifests/${tag}`, {
      method: 'PUT',
      headers: { 'Content-Type': MANIFEST_V2 },
      body: bytes,
    });
    if (put.status !== 201) throw new Error(`PUT ${repository}:${tag} answered ${put.status}`);
  }
}

async function scanError(promise: Promise<unknown>): Promise<ScanError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof ScanError)) throw new Error(`expected a ScanError, got ${String(error)}`);
  return error;
}

describe('listing tags and repositories of docker-registry', () => {
  let reg: TestRegistry;
  let lister: RegistryClient;

  beforeAll(async () => {
    reg = await registry();
    await pushImage(ALPINE(), reg, 'library/alpine:3.10');
    for (const [repository, tags] of Object.entries(LAYOUT)) {
      await publish(
        reg,
        'library/alpine:3.10',
        repository,
        repository === 'library/alpine' ? ['3.10', ...tags.filter((t) => t !== '3.10')] : tags,
      );
    }
    lister = client([reg.host]);
  });

  it('lists every tag of a repository in lexical order (docker-registry 2.8 sends them unsorted)', async () => {
    expect(await lister.listTags({ registry: reg.host, repository: 'library/alpine' })).toEqual({
      names: ['3.10', '3.10.2', '3.11', 'edge', 'latest'],
      truncated: false,
    });
    expect(await lister.listTags({ registry: reg.host, repository: 'team/web' })).toEqual({ names: ['1.0'], truncated: false });
  });

  it('stops at the limit, truncated only when more tags exist', async () => {
    const repository = { registry: reg.host, repository: 'library/alpine' };
    expect(await lister.listTags(repository, { limit: 2 })).toEqual({ names: ['3.10', '3.10.2'], truncated: true });
    expect(await lister.listTags(repository, { limit: 5 })).toEqual({
      names: ['3.10', '3.10.2', '3.11', 'edge', 'latest'],
      truncated: false,
    });
  });

  it('counts only the tags the filter keeps', async () => {
    const filter = (tags: readonly string[]) => tags.filter((tag) => /^3\./.test(tag));
    const repository = { registry: reg.host, repository: 'library/alpine' };
    expect(await lister.listTags(repository, { filter })).toEqual({ names: ['3.10', '3.10.2', '3.11'], truncated: false });
    expect(await lister.listTags(repository, { filter, limit: 2 })).toEqual({ names: ['3.10', '3.10.2'], truncated: true });
  });

  it('lists the catalog in one page by default', async () => {
    expect(await lister.listRepositories(reg.host)).toEqual({
      names: ['library/alpine', 'team/api', 'team/web', 'zeta'],
      truncated: false,
    });
  });

  it('follows the registry’s Link header page by page when the page size is forced with n', async () => {
    const relay = await relayTo(reg);
    const listed = await client([relay.host]).listRepositories(relay.host, { pageSize: 1 });
    expect(listed).toEqual({ names: ['library/alpine', 'team/api', 'team/web', 'zeta'], truncated: false });
    expect(relay.count('/v2/_catalog')).toBe(4);
  });

  it('reads one page past the limit to tell whether the catalog goes on', async () => {
    const relay = await relayTo(reg);
    const viaRelay = client([relay.host]);
    expect(await viaRelay.listRepositories(relay.host, { pageSize: 1, limit: 2 })).toEqual({
      names: ['library/alpine', 'team/api'],
      truncated: true,
    });
    expect(relay.count('/v2/_catalog')).toBe(3);
    expect(await viaRelay.listRepositories(relay.host, { pageSize: 2, limit: 4 })).toEqual({
      names: ['library/alpine', 'team/api', 'team/web', 'zeta'],
      truncated: false,
    });
    expect(relay.count('/v2/_catalog')).toBe(3 + 2);
  });

  it('answers truncated when the page bound runs out first', async () => {
    expect(await lister.listRepositories(reg.host, { pageSize: 1, maxPages: 3 })).toEqual({
      names: ['library/alpine', 'team/api', 'team/web'],
      truncated: true,
    });
  });

  it('answers not_found for a repository the registry does not know', async () => {
    const error = await scanError(lister.listTags({ registry: reg.host, repository: 'nobody/nothing' }));
    expect(error.code).toBe(ScanErrorCode.NotFound);
    expect(error.message).toBe(`tag list of repository nobody/nothing on registry ${reg.host} not found (HTTP 404, NAME_UNKNOWN)`);
  });

  it('maps a page size the registry refuses (HTTP 400) to internal, naming the registry', async () => {
    const error = await scanError(lister.listRepositories(reg.host, { pageSize: 5000 }));
    expect(error.code).toBe(ScanErrorCode.Internal);
    expect(error.message).toBe(
      `registry ${reg.host} rejected the request for catalog of registry ${reg.host} (HTTP 400, PAGINATION_NUMBER_INVALID)`,
    );
  });

  it('maps 429 with Retry-After to rate_limited, 403 to unauthorized and 503 to unreachable', async () => {
    const relay = await relayTo(reg);
    const viaRelay = client([relay.host]);
    const repository = { registry: relay.host, repository: 'library/alpine' };
    const isTags = ({ path: p }: { path: string }) => p === '/v2/library/alpine/tags/list';

    let release = relay.answer(isTags, { status: 429, headers: { 'Retry-After': '7' }, body: '{"errors":[{"code":"TOOMANYREQUESTS"}]}' });
    const limited = await scanError(viaRelay.listTags(repository));
    expect(limited).toMatchObject({ code: ScanErrorCode.RateLimited, retryAfterSeconds: 7 });
    expect(limited.message).toBe(`registry ${relay.host} is rate limiting (HTTP 429, TOOMANYREQUESTS) tag list of library/alpine`);
    release();

    release = relay.answer(isTags, { status: 403, body: '{"errors":[{"code":"DENIED"}]}' });
    expect((await scanError(viaRelay.listTags(repository))).code).toBe(ScanErrorCode.Unauthorized);
    release();

    release = relay.answer(isTags, { status: 503, headers: { 'Retry-After': '3' } });
    const failing = await scanError(viaRelay.listTags(repository));
    expect(failing).toMatchObject({ code: ScanErrorCode.Unreachable, retryAfterSeconds: 3 });
    expect(failing.message).toBe(
      `registry ${relay.host} failed on tag list of repository library/alpine on registry ${relay.host} (HTTP 503)`,
    );
    release();

    expect((await viaRelay.listTags(repository)).names).toHaveLength(5);
  });

  it('answers host_not_allowed when the outbound policy does not list the registry', async () => {
    const unlisted = client([], { insecureRegistries: [reg.host] });
    const error = await scanError(unlisted.listRepositories(reg.host));
    expect(error.code).toBe(ScanErrorCode.HostNotAllowed);
    expect(error.message).toContain(`host "${reg.host}" resolves to 127.0.0.1, in the loopback range 127.0.0.0/8`);
  });

  it('answers unreachable when the registry is down', async () => {
    const gone = await registry();
    await gone.stop();
    const error = await scanError(client([gone.host]).listRepositories(gone.host));
    expect(error.code).toBe(ScanErrorCode.Unreachable);
    expect(error.message).toMatch(new RegExp(`^registry ${gone.host} is unreachable for catalog of registry ${gone.host}: ECONNREFUSED`));
  });
});

describe('listing an authenticated docker-registry', () => {
  it('lists the catalog and tags of a basic-auth registry with credentials, and is unauthorized without', async () => {
    const reg = await registry({ auth: 'basic', users: [USER] });
    await pushImage(ALPINE(), reg, 'library/alpine:3.10', USER);
    await pushImage(ALPINE(), reg, 'team/api:1.0', USER);
    const withCreds = client([reg.host], { credentialsFor: async (host) => (host === reg.host ? USER : undefined) });
    expect(await withCreds.listRepositories(reg.host, { pageSize: 1 })).toEqual({
      names: ['library/alpine', 'team/api'],
      truncated: false,
    });
    expect(await withCreds.listTags({ registry: reg.host, repository: 'team/api' })).toEqual({ names: ['1.0'], truncated: false });

    const anonymous = await scanError(client([reg.host]).listRepositories(reg.host));
    expect(anonymous.code).toBe(ScanErrorCode.Unauthorized);
    expect(anonymous.message).toBe(
      `registry ${reg.host} denied access to catalog anonymously (no credentials are configured for ${reg.host}) (HTTP 401)`,
    );
  });

  it('lists tags through a bearer token for repository:<name>:pull', async () => {
    const tokens = await startTokenServer({ users: [USER] });
    cleanups.push(() => tokens.stop());
    const reg = await registry({ auth: 'token', tokenServer: tokens });
    await pushImage(ALPINE(), reg, 'team/api:1.0', USER);
    const hosts = [reg.host, new URL(tokens.realm).host];
    const before = tokens.tokenRequests;
    const listed = await client(hosts, { credentialsFor: async () => USER }).listTags({ registry: reg.host, repository: 'team/api' });
    expect(listed).toEqual({ names: ['1.0'], truncated: false });
    expect(tokens.tokenRequests).toBe(before + 1);
  });
});
