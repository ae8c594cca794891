import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { ScanError, ScanErrorCode } from '@vulnscan/contracts';
import {
  TestRegistry,
  TokenServer,
  corruptBlob,
  fixturesDir,
  inspectRaw,
  pushImage,
  putManifest,
  pushMultiArchIndex,
  startRegistry,
  startTokenServer,
} from '@vulnscan/testing';
import { ImageReference, parseImageReference } from '@vulnscan/image-reference';
import { OutboundHostPolicy } from '@vulnscan/outbound-http';
import { RegistryClient, RegistryClientOptions } from './index';

const ALPINE = () => path.join(fixturesDir(), 'images', 'alpine-310.docker.tar.gz');
/** The config blob inside the fixture archive: a fixed fact of the image, not of our code. */
const ALPINE_CONFIG = 'sha256:af341ccd2df8b0e2d67cf8dd32e087bfda4e5756ebd1c76bbf3efa0dc246590e';
const USER = { username: 'scanner', password: 's3cret-pass' };

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function registry(options?: Parameters<typeof startRegistry>[0]): Promise<TestRegistry> {
  const started = await startRegistry(options);
  cleanups.push(() => started.stop());
  return started;
}

/** A client that may reach exactly the given loopback hosts, over http. */
function client(hosts: string[], extra: Partial<RegistryClientOptions> = {}): RegistryClient {
  const policy = new OutboundHostPolicy({ allowedHosts: hosts, insecureRegistries: [] });
  const created = new RegistryClient({ insecureRegistries: hosts, policy, requestTimeoutMs: 10_000, ...extra });
  cleanups.push(() => created.close());
  return created;
}

const ref = (r: TestRegistry, name: string): ImageReference => parseImageReference(`${r.host}/${name}`);

async function scanError(promise: Promise<unknown>): Promise<ScanError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof ScanError)) throw new Error(`expected a ScanError, got ${String(error)}`);
  return error;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

describe('RegistryClient against docker-registry without auth', () => {
  let reg: TestRegistry;
  let pushedDigest: string;
  let manifest: { layers: { digest: string; size: number; mediaType: string }[] };
  let index: Awaited<ReturnType<typeof pushMultiArchIndex>>;
  let registryClient: RegistryClient;

  beforeAll(async () => {
    reg = await registry();
    pushedDigest = await pushImage(ALPINE(), reg, 'library/alpine:3.10');
    manifest = JSON.parse((await inspectRaw(reg, 'library/alpine:3.10')).raw.toString('utf8'));
    index = await pushMultiArchIndex(reg, 'library/multi:1', [
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64', variant: 'v8' },
    ]);
    registryClient = client([reg.host]);
  });

  it('resolves a tag to the digest skopeo pushed, with the manifest’s layer and the config’s platform', async () => {
    const resolved = await registryClient.resolve(ref(reg, 'library/alpine:3.10'));
    expect(resolved).toEqual({
      reference: { registry: reg.host, repository: 'library/alpine', tag: '3.10' },
      manifestDigest: pushedDigest,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      platform: { os: 'linux', architecture: 'amd64' },
      configDigest: ALPINE_CONFIG,
      layers: manifest.layers,
    });
    expect(resolved.layers).toHaveLength(1);
  });

  it('resolves by digest', async () => {
    const resolved = await registryClient.resolve(ref(reg, `library/alpine@${pushedDigest}`));
    expect(resolved.manifestDigest).toBe(pushedDigest);
  });

  it('streams a layer whose sha256 equals its digest', async () => {
    const [layer] = manifest.layers;
    const bytes = await readAll(await registryClient.openBlob(ref(reg, 'library/alpine:3.10'), layer!));
    expect(bytes.length).toBe(layer!.size);
    expect(sha256(bytes)).toBe(layer!.digest);
  });

  it('picks linux/amd64 from an index by default and arm64 when asked', async () => {
    const byArch = Object.fromEntries(index.manifests.map((m) => [m.platform.architecture, m.digest]));
    const amd64 = await registryClient.resolve(ref(reg, 'library/multi:1'));
    expect(amd64).toMatchObject({
      indexDigest: index.indexDigest,
      manifestDigest: byArch['amd64'],
      platform: { os: 'linux', architecture: 'amd64' },
    });
    expect(amd64.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');

    const arm64 = await registryClient.resolve(ref(reg, 'library/multi:1'), { platform: { os: 'linux', architecture: 'arm64' } });
    expect(arm64).toMatchObject({
      indexDigest: index.indexDigest,
      manifestDigest: byArch['arm64'],
      platform: { architecture: 'arm64', variant: 'v8' },
    });
  });

  it('answers platform_not_found with the available platforms', async () => {
    const error = await scanError(
      registryClient.resolve(ref(reg, 'library/multi:1'), { platform: { os: 'linux', architecture: 's390x' } }),
    );
    expect(error.code).toBe(ScanErrorCode.PlatformNotFound);
    expect(error.message).toMatch(/has no image for linux\/s390x; available: linux\/amd64, linux\/arm64\/v8$/);
  });

  it('answers not_found for a missing tag or repository, naming host and repository', async () => {
    const tag = await scanError(registryClient.resolve(ref(reg, 'library/alpine:no-such-tag')));
    expect(tag.code).toBe(ScanErrorCode.NotFound);
    expect(tag.message).toBe(
      `manifest no-such-tag of repository library/alpine on registry ${reg.host} not found (HTTP 404, MANIFEST_UNKNOWN)`,
    );
    expect((await scanError(registryClient.resolve(ref(reg, 'nobody/nothing:1')))).code).toBe(ScanErrorCode.NotFound);
  });

  it('denies a loopback registry that the policy does not list, and metadata addresses always', async () => {
    const unlisted = new RegistryClient({
      insecureRegistries: [reg.host],
      policy: new OutboundHostPolicy({ allowedHosts: [], insecureRegistries: [] }),
    });
    cleanups.push(() => unlisted.close());
    const loopback = await scanError(unlisted.resolve(ref(reg, 'library/alpine:3.10')));
    expect(loopback.code).toBe(ScanErrorCode.HostNotAllowed);
    expect(loopback.message).toContain(`host "${reg.host}" resolves to 127.0.0.1, in the loopback range 127.0.0.0/8`);

    // Even listed, the metadata address is refused before any connection is attempted.
    const metadata = client(['169.254.169.254']);
    const denied = await scanError(metadata.resolve(parseImageReference('169.254.169.254/latest/meta-data:1')));
    expect(denied.code).toBe(ScanErrorCode.HostNotAllowed);
    expect(denied.message).toContain('which is always denied');
  });
});

describe('RegistryClient and content that does not match its digest', () => {
  it('fails the blob stream with digest_mismatch instead of ending', async () => {
    const reg = await registry();
    await pushImage(ALPINE(), reg, 'library/alpine:3.10');
    const raw = JSON.parse((await inspectRaw(reg, 'library/alpine:3.10')).raw.toString('utf8')) as {
      layers: { digest: string; size: number }[];
    };
    const layer = raw.layers[0]!;
    await corruptBlob(reg, layer.digest);

    const stream = await client([reg.host]).openBlob(ref(reg, 'library/alpine:3.10'), layer);
    let ended = false;
    stream.on('end', () => (ended = true));
    const error = await scanError(readAll(stream));
    expect(error.code).toBe(ScanErrorCode.DigestMismatch);
    expect(error.message).toContain(`does not match ${layer.digest}`);
    expect(ended).toBe(false);
  });

  it('fails resolve with digest_mismatch when the config blob is corrupt', async () => {
    const reg = await registry();
    await pushImage(ALPINE(), reg, 'library/alpine:3.10');
    await corruptBlob(reg, ALPINE_CONFIG);
    expect((await scanError(client([reg.host]).resolve(ref(reg, 'library/alpine:3.10')))).code).toBe(ScanErrorCode.DigestMismatch);
  });

  it('fails resolve with digest_mismatch when the manifest itself is corrupt', async () => {
    const reg = await registry();
    const digest = await pushImage(ALPINE(), reg, 'library/alpine:3.10');
    await corruptBlob(reg, digest);
    const error = await scanError(client([reg.host]).resolve(ref(reg, 'library/alpine:3.10')));
    expect(error.code).toBe(ScanErrorCode.DigestMismatch);
    expect(error.message).toContain(`Docker-Content-Digest says ${digest}`);
  });
});

describe('RegistryClient and hostile manifests in docker-registry', () => {
  let reg: TestRegistry;
  let alpine: { digest: string; size: number };

  beforeAll(async () => {
    reg = await registry();
    const digest = await pushImage(ALPINE(), reg, 'library/alpine:3.10');
    alpine = { digest, size: (await inspectRaw(reg, 'library/alpine:3.10')).raw.length };
  });

  it('refuses an index of 10,000 children by INDEX_MAX_CHILDREN', async () => {
    const child = {
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      ...alpine,
      platform: { os: 'linux', architecture: 'amd64' },
    };
    const mediaType = 'application/vnd.oci.image.index.v1+json';
    await putManifest(reg, 'library/alpine:fan-out', { schemaVersion: 2, mediaType, manifests: Array(10_000).fill(child) });

    const error = await scanError(client([reg.host]).resolve(ref(reg, 'library/alpine:fan-out')));
    expect(error.code).toBe(ScanErrorCode.ManifestInvalid);
    expect(error.message).toBe(`manifest ${reg.host}/library/alpine:fan-out lists 10000 manifests; INDEX_MAX_CHILDREN is 256`);
  });

  it('refuses a manifest over MANIFEST_MAX_BYTES from its Content-Length, and a pull over MANIFEST_PULL_MAX_BYTES', async () => {
    // distribution serves no manifest over 4 MiB, so the limits are lowered to meet a real one.
    const image = JSON.parse((await inspectRaw(reg, 'library/alpine:3.10')).raw.toString('utf8')) as Record<string, unknown>;
    const padded = {
      ...image,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      annotations: { padding: ' '.repeat(1024 * 1024) },
    };
    const big = await putManifest(reg, 'library/alpine:padded', padded);

    const small = client([reg.host], { manifestLimits: { maxBytes: 256 * 1024 } });
    const error = await scanError(small.resolve(ref(reg, 'library/alpine:padded')));
    expect(error.code).toBe(ScanErrorCode.ManifestInvalid);
    expect(error.message).toBe(
      `manifest padded of repository library/alpine on registry ${reg.host} is ${big.size} bytes; MANIFEST_MAX_BYTES is 262144`,
    );

    const child = {
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      ...big,
      platform: { os: 'linux', architecture: 'amd64' },
    };
    await putManifest(reg, 'library/alpine:padded-index', {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [child],
    });
    const pullLimited = client([reg.host], { manifestLimits: { maxPullBytes: big.size } });
    const pull = await scanError(pullLimited.resolve(ref(reg, 'library/alpine:padded-index')));
    expect(pull.code).toBe(ScanErrorCode.ManifestInvalid);
    expect(pull.message).toMatch(new RegExp(`^manifest ${big.digest} .* MANIFEST_PULL_MAX_BYTES is ${big.size}$`));
    // With the defaults the same pull resolves.
    expect((await client([reg.host]).resolve(ref(reg, 'library/alpine:padded-index'))).manifestDigest).toBe(big.digest);
  });
});

describe('RegistryClient with registry authentication', () => {
  it('uses basic credentials and is unauthorized without or with wrong ones', async () => {
    const reg = await registry({ auth: 'basic', users: [USER] });
    const digest = await pushImage(ALPINE(), reg, 'library/alpine:3.10', USER);
    const target = ref(reg, 'library/alpine:3.10');

    const withCreds = client([reg.host], { credentialsFor: async (host) => (host === reg.host ? USER : undefined) });
    expect((await withCreds.resolve(target)).manifestDigest).toBe(digest);

    const anonymous = await scanError(client([reg.host]).resolve(target));
    expect(anonymous.code).toBe(ScanErrorCode.Unauthorized);
    expect(anonymous.message).toContain(`anonymously (no credentials are configured for ${reg.host})`);

    const wrong = await scanError(client([reg.host], { credentialsFor: async () => ({ ...USER, password: 'wrong' }) }).resolve(target));
    expect(wrong.code).toBe(ScanErrorCode.Unauthorized);
    expect(wrong.message).toContain('with the configured credentials');
  });

  it('follows the Bearer challenge through the token server, caching the token', async () => {
    const tokens: TokenServer = await startTokenServer({ users: [USER] });
    cleanups.push(() => tokens.stop());
    const reg = await registry({ auth: 'token', tokenServer: tokens });
    const digest = await pushImage(ALPINE(), reg, 'library/alpine:3.10', USER);
    const target = ref(reg, 'library/alpine:3.10');
    const hosts = [reg.host, new URL(tokens.realm).host];

    const before = tokens.tokenRequests;
    const withCreds = client(hosts, { credentialsFor: async () => USER });
    const resolved = await withCreds.resolve(target);
    expect(resolved.manifestDigest).toBe(digest);
    expect(tokens.tokenRequests).toBe(before + 1);
    const bytes = await readAll(await withCreds.openBlob(target, resolved.layers[0]!));
    expect(sha256(bytes)).toBe(resolved.layers[0]!.digest);
    expect(tokens.tokenRequests).toBe(before + 1);

    const anonymous = await scanError(client(hosts).resolve(target));
    expect(anonymous.code).toBe(ScanErrorCode.Unauthorized);
    expect(tokens.tokenRequests).toBe(before + 2);
  });
});

describe('RegistryClient and an unreachable registry', () => {
  it('answers unreachable, then opens the circuit for that host', async () => {
    const reg = await registry();
    await reg.stop();
    const breaking = client([reg.host], { breaker: { errorThresholdPercentage: 50, resetTimeoutMs: 60_000, volumeThreshold: 2 } });
    const target = ref(reg, 'library/alpine:3.10');

    const first = await scanError(breaking.resolve(target));
    expect(first.code).toBe(ScanErrorCode.Unreachable);
    expect(first.message).toMatch(
      new RegExp(`^registry ${reg.host} is unreachable for manifest 3\\.10 of repository library/alpine .*ECONNREFUSED`),
    );
    await scanError(breaking.resolve(target));
    const open = await scanError(breaking.resolve(target));
    expect(open.code).toBe(ScanErrorCode.Unreachable);
    expect(open.message).toMatch(new RegExp(`^circuit open for ${reg.host}`));
  });
});
