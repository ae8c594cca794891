import { v5 as uuidv5 } from 'uuid';
import type { Sbom } from './sbom.model';

/**
 * The identity of an exported document: deterministic per (manifest digest, analyzer version), so
 * exporting the stored SBOM twice yields the same identity and a new analyzer version a new one.
 * It is an identifier, never fetched.
 */
export function documentUri(sbom: Sbom): string {
  return `https://vulnscan.dev/spdx/${pathSegment(sbom.image.manifestDigest)}/${pathSegment(sbom.analyzer.version)}`;
}

/** CycloneDX wants an RFC 4122 URN; a name-based (v5) UUID of the same URI keeps it deterministic. */
export function documentSerialNumber(sbom: Sbom): string {
  return `urn:uuid:${uuidv5(documentUri(sbom), uuidv5.URL)}`;
}

/** `:` is legal in a URI path segment, and keeping it leaves `sha256:…` readable. */
function pathSegment(value: string): string {
  return encodeURIComponent(value).replace(/%3A/g, ':');
}
