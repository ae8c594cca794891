/** The formats `GET /api/v1/scans/{id}/sbom?format=` accepts; wire values, do not rename. */
export const SBOM_FORMATS = ['cyclonedx', 'spdx'] as const;
export type SbomFormat = (typeof SBOM_FORMATS)[number];
export const DEFAULT_SBOM_FORMAT: SbomFormat = 'cyclonedx';

/** The CycloneDX spec version `toCycloneDx` writes; the media type below must name the same. */
export const CYCLONEDX_SPEC_VERSION = '1.6';

/** Content-Type of each export (IANA registrations of CycloneDX and SPDX). */
export const SBOM_MEDIA_TYPES: Readonly<Record<SbomFormat, string>> = {
  cyclonedx: `application/vnd.cyclonedx+json; version=${CYCLONEDX_SPEC_VERSION}`,
  spdx: 'application/spdx+json',
};

export function isSbomFormat(value: unknown): value is SbomFormat {
  return typeof value === 'string' && (SBOM_FORMATS as readonly string[]).includes(value);
}
