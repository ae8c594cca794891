/** The Accept header of a registry client that takes images and indexes in both OCI and Docker form. */
export const MANIFEST_ACCEPT = {
  Accept: [
    'application/vnd.oci.image.index.v1+json',
    'application/vnd.docker.distribution.manifest.list.v2+json',
    'application/vnd.oci.image.manifest.v1+json',
    'application/vnd.docker.distribution.manifest.v2+json',
  ].join(', '),
};
