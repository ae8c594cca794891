import { ScanErrorCode } from '@vulnscan/contracts';
import { parseManifestDocument } from './manifest-document';

const d = (char: string) => `sha256:${char.repeat(64)}`;
const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
const DOCKER_CONFIG = 'application/vnd.docker.container.image.v1+json';
const LAYER = 'application/vnd.docker.image.rootfs.diff.tar.gzip';

describe('parseManifestDocument', () => {
  it('lists the config and layers of an image manifest, each digest once', () => {
    const manifest = {
      schemaVersion: 2,
      mediaType: DOCKER_MANIFEST,
      config: { mediaType: DOCKER_CONFIG, digest: d('c'), size: 1500 },
      layers: [
        { mediaType: LAYER, digest: d('1'), size: 2_000_000 },
        { mediaType: LAYER, digest: d('1'), size: 2_000_000 },
        { mediaType: LAYER, digest: d('2'), size: 32 },
      ],
    };
    expect(parseManifestDocument(json(manifest), 'application/json', 'm', 256)).toEqual({
      kind: 'image',
      mediaType: DOCKER_MANIFEST,
      configMediaType: DOCKER_CONFIG,
      blobs: [
        { mediaType: DOCKER_CONFIG, digest: d('c'), size: 1500 },
        { mediaType: LAYER, digest: d('1'), size: 2_000_000 },
        { mediaType: LAYER, digest: d('2'), size: 32 },
      ],
      children: [],
    });
  });

  it('passes artifacts through (any config type), taking the type from Content-Type when the body has none', () => {
    const artifact = {
      schemaVersion: 2,
      config: { mediaType: 'application/vnd.cncf.helm.config.v1+json', digest: d('c'), size: 10 },
      layers: [{ mediaType: 'application/vnd.cncf.helm.chart.content.v1.tar+gzip', digest: d('1'), size: 20 }],
    };
    const parsed = parseManifestDocument(json(artifact), 'application/vnd.oci.image.manifest.v1+json; charset=utf-8', 'm', 256);
    expect(parsed.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(parsed.configMediaType).toBe('application/vnd.cncf.helm.config.v1+json');
    expect(parsed.blobs.map((blob) => blob.digest)).toEqual([d('c'), d('1')]);
  });

  it('lists the children of an index (inferred from its shape without a type)', () => {
    const index = {
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: d('a'),
          size: 500,
          platform: { os: 'linux', architecture: 'arm64' },
        },
      ],
    };
    expect(parseManifestDocument(json(index), undefined, 'm', 256)).toEqual({
      kind: 'index',
      mediaType: 'application/vnd.oci.image.index.v1+json',
      blobs: [],
      children: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: d('a'), size: 500 }],
    });
  });

  it('refuses an index listing more manifests than INDEX_MAX_CHILDREN, counted before any entry is parsed', () => {
    const fanOut = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: Array(10_000).fill('x') };
    expect(() => parseManifestDocument(json(fanOut), undefined, 'manifest x', 256)).toThrow(
      expect.objectContaining({
        code: ScanErrorCode.ManifestInvalid,
        message: 'manifest x lists 10000 manifests; INDEX_MAX_CHILDREN is 256',
      }),
    );
    const child = { mediaType: DOCKER_MANIFEST, digest: d('a'), size: 500 };
    const two = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [child, child] };
    expect(parseManifestDocument(json(two), undefined, 'manifest x', 2).children).toHaveLength(2);
  });

  it.each([
    ['not JSON', Buffer.from('{nope'), ScanErrorCode.ManifestInvalid, /not valid JSON/],
    ['schema 1', json({ schemaVersion: 1, fsLayers: [] }), ScanErrorCode.UnsupportedMediaType, /schema 1/],
    ['an unknown type', json({ schemaVersion: 2, mediaType: 'text/html' }), ScanErrorCode.UnsupportedMediaType, /text\/html/],
    [
      'a bad layer digest',
      json({
        schemaVersion: 2,
        mediaType: DOCKER_MANIFEST,
        config: { mediaType: DOCKER_CONFIG, digest: d('c'), size: 1 },
        layers: [{ mediaType: LAYER, digest: 'sha256:../../etc', size: 1 }],
      }),
      ScanErrorCode.ManifestInvalid,
      /layers\[0\]: sha256 digest must be 64 lowercase hex/,
    ],
    [
      'a negative size',
      json({ schemaVersion: 2, mediaType: DOCKER_MANIFEST, config: { mediaType: DOCKER_CONFIG, digest: d('c'), size: -1 }, layers: [] }),
      ScanErrorCode.ManifestInvalid,
      /config: size/,
    ],
    [
      'no layers array',
      json({ schemaVersion: 2, mediaType: DOCKER_MANIFEST, config: { mediaType: DOCKER_CONFIG, digest: d('c'), size: 1 } }),
      ScanErrorCode.ManifestInvalid,
      /layers: must be an array/,
    ],
  ])('refuses %s', (_name, bytes, code, message) => {
    expect(() => parseManifestDocument(bytes, undefined, 'manifest x', 256)).toThrow(
      expect.objectContaining({ code, message: expect.stringMatching(message) }),
    );
  });
});
