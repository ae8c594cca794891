import { join } from 'node:path';
import {
  CountingRelay,
  fixturesDir,
  inspectRaw,
  pushImage,
  putManifest,
  startCountingRelay,
  startRegistry,
  TestRegistry,
} from '@vulnscan/testing';
import { ServiceProcess, TestPlatform } from '../support/platform';
import { MANIFEST_ACCEPT } from '../support/oci';

const ALPINE = () => join(fixturesDir(), 'images/alpine-310.docker.tar.gz');

/**
 * The blob cache's manifest budgets against a real docker-registry upstream, reached through a
 * relay that counts every upstream request: what a hostile index or manifest makes it read.
 */
describe('blob-cache-worker: manifest and index budgets', () => {
  let registry: TestRegistry;
  let relay: CountingRelay;
  let platform: TestPlatform;
  let cache: ServiceProcess;

  beforeAll(async () => {
    registry = await startRegistry();
    relay = await startCountingRelay(registry.url);
    platform = new TestPlatform();
    cache = await platform.start('blob-cache-worker', {
      // These pulls are anonymous: what they test is not who pulls.
      CACHE_ANONYMOUS_PULLS: 'true',
      CACHE_UPSTREAMS: `${registry.host}=${relay.url}`,
      // Below distribution's own 4 MiB, so a real upstream can serve manifests over them; far above real images.
      MANIFEST_MAX_BYTES: String(3 * 1024 * 1024),
      MANIFEST_PULL_MAX_BYTES: String(3 * 1024 * 1024),
    });
  });

  afterAll(async () => {
    await platform?.stop();
    await relay?.stop();
    await registry?.stop();
  });

  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${cache.url}${path}`, { headers });
  const errorOf = async (response: Response) => ((await response.json()) as { errors: { code: string; message: string }[] }).errors[0]!;

  it('refuses hostile indexes and manifests with 502 MANIFEST_INVALID, reading upstream only what its budgets allow', async () => {
    const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
    const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
    const amd64 = { os: 'linux', architecture: 'amd64' };
    const index = (children: { digest: string; size: number }[]) => ({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: children.map((child) => ({ mediaType: DOCKER_MANIFEST, ...child, platform: amd64 })),
    });
    // A repository of its own, so no manifest of it is in the cache before this test.
    const pushed = await pushImage(ALPINE(), registry, 'hostile/app:1');
    const raw = (await inspectRaw(registry, 'hostile/app:1')).raw;
    const app = { digest: pushed, size: raw.length };
    const image = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
    const padded = (bytes: number) => ({ ...image, mediaType: DOCKER_MANIFEST, annotations: { padding: ' '.repeat(bytes) } });
    const appPath = `/v2/hostile/app/manifests/${app.digest}`;
    const refusal = async (tag: string) => {
      const response = await get(`/v2/hostile/app/manifests/${tag}`, MANIFEST_ACCEPT);
      return { status: response.status, ...(await errorOf(response)) };
    };

    // 10,000 children: refused by their count, before any child is asked for.
    await putManifest(registry, 'hostile/app:fan-out', index(Array(10_000).fill(app)));
    expect(await refusal('fan-out')).toMatchObject({
      status: 502,
      code: 'MANIFEST_INVALID',
      message: expect.stringMatching(/lists 10000 manifests; INDEX_MAX_CHILDREN is 256$/),
    });
    expect(relay.count(appPath)).toBe(0);

    // One child listed 200 times is read once.
    await putManifest(registry, 'hostile/app:repeated', index(Array(200).fill(app)));
    expect((await get('/v2/hostile/app/manifests/repeated', MANIFEST_ACCEPT)).status).toBe(200);
    expect(relay.count(appPath)).toBe(1);

    // A manifest over MANIFEST_MAX_BYTES (3 MiB here), refused from its Content-Length.
    const big = await putManifest(registry, 'hostile/app:big', padded(3.5 * 1024 * 1024));
    expect(await refusal('big')).toMatchObject({
      status: 502,
      code: 'MANIFEST_INVALID',
      message: expect.stringMatching(new RegExp(`is ${big.size} bytes; MANIFEST_MAX_BYTES is 3145728$`)),
    });

    // Ten children of 400 KB: together over MANIFEST_PULL_MAX_BYTES (3 MiB here).
    const children = [];
    for (let i = 0; i < 10; i++) children.push(await putManifest(registry, `hostile/app:child-${i}`, padded(400_000 + i)));
    await putManifest(registry, 'hostile/app:wide', index(children));
    expect(await refusal('wide')).toMatchObject({
      status: 502,
      code: 'MANIFEST_INVALID',
      message: expect.stringMatching(/MANIFEST_PULL_MAX_BYTES is 3145728$/),
    });
    const read = children.filter((child) => relay.count(`/v2/hostile/app/manifests/${child.digest}`) > 0);
    // Seven fit beside the index; the eighth is refused from its declared size before it is requested.
    expect(read).toHaveLength(7);
    expect((await get('/v2/')).status).toBe(200);
  });
});
