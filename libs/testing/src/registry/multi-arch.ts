import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fixturesDir } from '../workspace';
import { run } from '../processes';
import { SKOPEO, credsFlag, inspectRaw, uncompressedArchive, withTempDir } from './push-image';
import type { TestRegistry, TestUser } from './start-registry';

export interface TestPlatform {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
}

export interface PushedIndex {
  readonly indexDigest: string;
  readonly manifests: { platform: TestPlatform; digest: string }[];
}

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: TestPlatform;
  annotations?: Record<string, string>;
}

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const REF_NAME = 'org.opencontainers.image.ref.name';

/**
 * Pushes an OCI image index with one manifest per platform, all built from the alpine-310 fixture's
 * layer (only each config's os/architecture differs), and returns the digests the registry serves.
 */
export async function pushMultiArchIndex(
  registry: TestRegistry,
  repositoryAndTag: string,
  platforms: readonly TestPlatform[],
  creds?: TestUser,
): Promise<PushedIndex> {
  return withTempDir('vulnscan-index-', async (dir) => {
    const archive = await uncompressedArchive(path.join(fixturesDir(), 'images', 'alpine-310.docker.tar.gz'), dir);
    const layout = path.join(dir, 'layout');
    // Let skopeo turn the docker archive into an OCI layout; we only add configs, manifests and the index.
    await run('skopeo', [...SKOPEO, 'copy', `docker-archive:${archive}`, `oci:${layout}:base`]);
    const blobs = new BlobWriter(layout);
    const base = JSON.parse(await readFile(path.join(layout, 'index.json'), 'utf8')) as { manifests: Descriptor[] };
    const baseManifest = JSON.parse(await blobs.read(base.manifests[0]!.digest)) as { config: Descriptor } & Record<string, unknown>;
    const baseConfig = JSON.parse(await blobs.read(baseManifest.config.digest)) as Record<string, unknown>;

    const entries: Descriptor[] = [];
    for (const platform of platforms) {
      const { variant: _dropped, ...withoutVariant } = baseConfig;
      const config = await blobs.write(OCI_CONFIG, { ...withoutVariant, ...platform });
      const manifest = await blobs.write(OCI_MANIFEST, { ...baseManifest, mediaType: OCI_MANIFEST, config });
      entries.push({ ...manifest, platform: { ...platform } });
    }
    const index = await blobs.write(OCI_INDEX, { schemaVersion: 2, mediaType: OCI_INDEX, manifests: entries });
    const tag = repositoryAndTag.slice(repositoryAndTag.lastIndexOf(':') + 1);
    const layoutIndex = { schemaVersion: 2, manifests: [{ ...index, annotations: { [REF_NAME]: tag } }] };
    await writeFile(path.join(layout, 'index.json'), JSON.stringify(layoutIndex));

    await run('skopeo', [
      ...SKOPEO,
      'copy',
      '--all',
      '--dest-tls-verify=false',
      ...credsFlag('--dest-creds', creds),
      `oci:${layout}:${tag}`,
      `docker://${registry.host}/${repositoryAndTag}`,
    ]);

    // Read back what the registry serves: that, not what we wrote, is what a client will see.
    const served = await inspectRaw(registry, repositoryAndTag, creds);
    const servedIndex = JSON.parse(served.raw.toString('utf8')) as { manifests: Descriptor[] };
    return {
      indexDigest: served.digest,
      manifests: servedIndex.manifests.map((m) => ({ platform: m.platform!, digest: m.digest })),
    };
  });
}

class BlobWriter {
  constructor(private readonly layout: string) {}

  async read(digest: string): Promise<string> {
    return readFile(this.pathOf(digest), 'utf8');
  }

  async write(mediaType: string, content: object): Promise<Descriptor> {
    const bytes = Buffer.from(JSON.stringify(content));
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    await writeFile(this.pathOf(digest), bytes);
    return { mediaType, digest, size: bytes.length };
  }

  private pathOf(digest: string): string {
    const [algorithm, hex] = digest.split(':') as [string, string];
    return path.join(this.layout, 'blobs', algorithm, hex);
  }
}
