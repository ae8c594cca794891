export const MediaType = {
  DockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  DockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  OciManifest: 'application/vnd.oci.image.manifest.v1+json',
  OciIndex: 'application/vnd.oci.image.index.v1+json',
  DockerSchema1: 'application/vnd.docker.distribution.manifest.v1+json',
  DockerSchema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  DockerConfig: 'application/vnd.docker.container.image.v1+json',
  OciConfig: 'application/vnd.oci.image.config.v1+json',
} as const;

/** Sent as Accept: schema 1 is deliberately absent, so registries convert or answer 404/406. */
export const MANIFEST_ACCEPT = [MediaType.OciIndex, MediaType.DockerManifestList, MediaType.OciManifest, MediaType.DockerManifest].join(
  ', ',
);

export const INDEX_TYPES: ReadonlySet<string> = new Set([MediaType.OciIndex, MediaType.DockerManifestList]);
export const IMAGE_MANIFEST_TYPES: ReadonlySet<string> = new Set([MediaType.OciManifest, MediaType.DockerManifest]);
export const SCHEMA1_TYPES: ReadonlySet<string> = new Set([MediaType.DockerSchema1, MediaType.DockerSchema1Signed]);
export const IMAGE_CONFIG_TYPES: ReadonlySet<string> = new Set([MediaType.DockerConfig, MediaType.OciConfig]);

/** Manifests are small JSON documents; a larger one is either broken or an attack on our memory. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
/** Image configs carry the build history and can be larger than manifests, but never legitimately huge. */
export const MAX_CONFIG_BYTES = 8 * 1024 * 1024;
