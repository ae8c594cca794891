import { MediaType } from '@vulnscan/registry';
import { UnsupportedReason } from '@vulnscan/status-data';
import { unsupportedReason } from './media-types';

describe('unsupportedReason', () => {
  it('scans Docker and OCI image manifests with an image config', () => {
    expect(unsupportedReason(MediaType.DockerManifest, MediaType.DockerConfig)).toBeUndefined();
    expect(unsupportedReason(MediaType.OciManifest, MediaType.OciConfig)).toBeUndefined();
    expect(unsupportedReason(MediaType.OciManifest)).toBeUndefined();
  });

  it('leaves indexes to their platforms’ manifests', () => {
    expect(unsupportedReason(MediaType.OciIndex)).toBe(UnsupportedReason.ManifestList);
    expect(unsupportedReason(MediaType.DockerManifestList)).toBe(UnsupportedReason.ManifestList);
  });

  it('does not scan OCI artifacts or unknown manifest types', () => {
    expect(unsupportedReason(MediaType.OciManifest, 'application/vnd.cncf.helm.config.v1+json')).toBe(UnsupportedReason.NotAContainerImage);
    expect(unsupportedReason(MediaType.DockerSchema1Signed)).toBe(UnsupportedReason.NotAContainerImage);
    expect(unsupportedReason('text/plain')).toBe(UnsupportedReason.NotAContainerImage);
  });
});
