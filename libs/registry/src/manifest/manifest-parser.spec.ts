import { ScanError, ScanErrorCode } from '@vulnscan/contracts';
import { classifyManifest, parseImageConfig, parseImageManifest, parseIndex } from './manifest-parser';
import { MediaType } from './media-types';

const where = 'manifest 1 of repository a on registry r';
const digest = (c: string) => `sha256:${c.repeat(64)}`;
const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const image = {
  schemaVersion: 2,
  mediaType: MediaType.DockerManifest,
  config: { mediaType: MediaType.DockerConfig, digest: digest('c'), size: 1512 },
  layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest: digest('1'), size: 2877678 }],
};

function failure(fn: () => unknown): ScanError {
  try {
    fn();
  } catch (error) {
    return error as ScanError;
  }
  throw new Error('expected a ScanError');
}

describe('classifyManifest', () => {
  it('prefers the mediaType field over Content-Type', () => {
    expect(classifyManifest(json(image), MediaType.OciIndex, where)).toMatchObject({ kind: 'image', mediaType: MediaType.DockerManifest });
  });

  it('uses Content-Type (without parameters) when the field is absent', () => {
    const { mediaType: _omitted, ...oci } = image;
    expect(classifyManifest(json(oci), `${MediaType.OciManifest}; charset=utf-8`, where).mediaType).toBe(MediaType.OciManifest);
  });

  it('infers OCI types from the shape when neither says', () => {
    expect(classifyManifest(json({ schemaVersion: 2, manifests: [] }), 'application/json', where)).toMatchObject({
      kind: 'index',
      mediaType: MediaType.OciIndex,
    });
  });

  it('rejects schema 1 and unknown media types as unsupported', () => {
    expect(failure(() => classifyManifest(json({ schemaVersion: 1, fsLayers: [] }), MediaType.DockerSchema1Signed, where))).toMatchObject({
      code: ScanErrorCode.UnsupportedMediaType,
      message: `${where}: Docker schema 1 manifests are not supported`,
    });
    expect(
      failure(() => classifyManifest(json({ schemaVersion: 2, mediaType: 'application/vnd.cncf.helm.chart' }), undefined, where)).code,
    ).toBe(ScanErrorCode.UnsupportedMediaType);
  });

  it('rejects malformed JSON as manifest_invalid', () => {
    expect(failure(() => classifyManifest(Buffer.from('{"schemaVersion":'), MediaType.OciManifest, where)).code).toBe(
      ScanErrorCode.ManifestInvalid,
    );
    expect(failure(() => classifyManifest(Buffer.from('[1]'), MediaType.OciManifest, where)).message).toBe(
      `${where}: must be a JSON object`,
    );
  });
});

describe('parseImageManifest', () => {
  it('returns config and layers', () => {
    expect(parseImageManifest(image, where)).toEqual({ config: image.config, layers: image.layers });
  });

  it.each([
    [{ ...image, schemaVersion: 3 }, 'schemaVersion must be 2'],
    [{ ...image, config: undefined }, 'descriptor must be an object'],
    [{ ...image, layers: 'x' }, '"layers" must be an array'],
    [{ ...image, layers: [{ mediaType: 'x', digest: 'sha256:zz', size: 1 }] }, 'sha256 digest must be 64 lowercase hex characters'],
    [{ ...image, layers: [{ mediaType: 'x', digest: digest('1'), size: -1 }] }, 'size must be a non-negative integer'],
    [{ ...image, layers: [{ digest: digest('1'), size: 1 }] }, 'mediaType is missing'],
  ])('rejects a malformed manifest (%#): %s', (manifest, problem) => {
    const error = failure(() => parseImageManifest(manifest as Record<string, unknown>, where));
    expect(error.code).toBe(ScanErrorCode.ManifestInvalid);
    expect(error.message).toContain(problem);
  });

  it('rejects artifacts whose config is not an image config', () => {
    const helm = { ...image, config: { ...image.config, mediaType: 'application/vnd.cncf.helm.config.v1+json' } };
    expect(failure(() => parseImageManifest(helm, where)).code).toBe(ScanErrorCode.UnsupportedMediaType);
  });
});

describe('parseIndex and parseImageConfig', () => {
  it('reads index entries with their platforms', () => {
    const entry = {
      mediaType: MediaType.OciManifest,
      digest: digest('a'),
      size: 10,
      platform: { os: 'linux', architecture: 'arm64', variant: 'v8' },
    };
    expect(parseIndex({ schemaVersion: 2, manifests: [entry, { ...entry, platform: undefined }] }, where, 256)).toEqual([
      entry,
      { mediaType: MediaType.OciManifest, digest: digest('a'), size: 10 },
    ]);
    expect(
      failure(() => parseIndex({ schemaVersion: 2, manifests: [{ ...entry, platform: { os: 'linux' } }] }, where, 256)).message,
    ).toContain('manifests[0].platform: architecture is missing');
  });

  it('refuses an index listing more manifests than INDEX_MAX_CHILDREN, before reading its entries', () => {
    // The entries are not even descriptors: the count alone decides.
    const fanOut = { schemaVersion: 2, manifests: Array.from({ length: 10_000 }, () => 'not a descriptor') };
    expect(failure(() => parseIndex(fanOut, where, 256))).toMatchObject({
      code: ScanErrorCode.ManifestInvalid,
      message: `${where} lists 10000 manifests; INDEX_MAX_CHILDREN is 256`,
    });
    const entry = { mediaType: MediaType.OciManifest, digest: digest('a'), size: 10 };
    expect(parseIndex({ schemaVersion: 2, manifests: [entry, entry] }, where, 2)).toHaveLength(2);
  });

  it('reads the platform of an image config', () => {
    expect(parseImageConfig(json({ architecture: 'amd64', os: 'linux', rootfs: {} }), where)).toEqual({
      os: 'linux',
      architecture: 'amd64',
    });
    expect(failure(() => parseImageConfig(json({ os: 'linux' }), where)).code).toBe(ScanErrorCode.ManifestInvalid);
  });
});
