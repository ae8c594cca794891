import { exportSbom } from './export';
import { DEFAULT_SBOM_FORMAT, SBOM_MEDIA_TYPES, isSbomFormat } from './media-types';
import { alpineSbom } from './test-support/alpine-sbom';

describe('exportSbom', () => {
  it('pairs each format with its media type', () => {
    const sbom = alpineSbom();
    expect(exportSbom(sbom, 'cyclonedx')).toMatchObject({
      mediaType: 'application/vnd.cyclonedx+json; version=1.6',
      document: { bomFormat: 'CycloneDX', specVersion: '1.6' },
    });
    expect(exportSbom(sbom, 'spdx')).toMatchObject({ mediaType: 'application/spdx+json', document: { spdxVersion: 'SPDX-2.3' } });
    expect(SBOM_MEDIA_TYPES).toEqual({
      cyclonedx: 'application/vnd.cyclonedx+json; version=1.6',
      spdx: 'application/spdx+json',
    });
  });

  it('defaults to CycloneDX and knows its format names', () => {
    expect(DEFAULT_SBOM_FORMAT).toBe('cyclonedx');
    expect(isSbomFormat('spdx')).toBe(true);
    expect(isSbomFormat('SPDX')).toBe(false);
    expect(isSbomFormat(undefined)).toBe(false);
  });
});
