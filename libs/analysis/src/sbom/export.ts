import { toCycloneDx, type CycloneDxDocument } from './cyclonedx';
import { SBOM_MEDIA_TYPES, type SbomFormat } from './media-types';
import type { Sbom } from './sbom.model';
import { toSpdx, type SpdxDocument } from './spdx';

export interface SbomExport {
  mediaType: string;
  document: CycloneDxDocument | SpdxDocument;
}

/** What the SBOM endpoint sends for a format: the document and its Content-Type. */
export function exportSbom(sbom: Sbom, format: SbomFormat): SbomExport {
  switch (format) {
    case 'cyclonedx':
      return { mediaType: SBOM_MEDIA_TYPES.cyclonedx, document: toCycloneDx(sbom) };
    case 'spdx':
      return { mediaType: SBOM_MEDIA_TYPES.spdx, document: toSpdx(sbom) };
  }
}
