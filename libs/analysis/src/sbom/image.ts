import { PackageURL } from 'packageurl-js';
import { parseImageReference } from '@vulnscan/image-reference';
import type { SbomImage } from './sbom.model';

export interface ImageIdentity {
  /** `registry/repository`: what the image is called, whatever the tag. */
  name: string;
  /** `pkg:oci/<last path component>@<digest>?arch=…&repository_url=<registry/repository>[&tag=…]`. */
  purl: string;
}

/** How exports name the image: the purl spec's oci type identifies it by digest, not by tag. */
export function imageIdentity(image: SbomImage): ImageIdentity {
  const ref = parseImageReference(image.reference);
  const name = `${ref.registry}/${ref.repository}`;
  const qualifiers: Record<string, string> = { repository_url: name, arch: image.platform.architecture };
  if (ref.tag) qualifiers['tag'] = ref.tag;
  const lastComponent = ref.repository.slice(ref.repository.lastIndexOf('/') + 1);
  const purl = new PackageURL('oci', undefined, lastComponent, image.manifestDigest, qualifiers, undefined);
  return { name, purl: purl.toString() };
}

/** `linux/arm64/v8`, the notation of `docker --platform`. */
export function platformString(image: SbomImage): string {
  const { os, architecture, variant } = image.platform;
  return variant ? `${os}/${architecture}/${variant}` : `${os}/${architecture}`;
}
