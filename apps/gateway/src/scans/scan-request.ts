import { GatewayErrorCode, PlatformDto } from '@vulnscan/contracts';
import { formatReference, InvalidReferenceError, parseImageReference, referenceFromParts } from '@vulnscan/image-reference';
import { apiError } from '../errors';
import { CreateScanDto } from './scan.dto';

/** An image reference from a request, normalized (`alpine` → `docker.io/library/alpine:latest`); 400 naming `field` if invalid. */
export function normalizeImage(input: string, field = 'image'): string {
  try {
    return formatReference(parseImageReference(input));
  } catch (error) {
    if (error instanceof InvalidReferenceError) {
      throw apiError(GatewayErrorCode.InvalidReference, `${field}: ${error.reason}`, { fields: [field] });
    }
    throw error;
  }
}

/** The image a POST /scans body names: `image`, or the older `image_name` (+ `image_tag`) shape. */
export function requestedImage(body: Pick<CreateScanDto, 'image' | 'image_name' | 'image_tag'>): string {
  if (body.image !== undefined) return normalizeImage(body.image);
  let reference: string;
  try {
    reference = referenceFromParts(body.image_name ?? '', body.image_tag);
  } catch (error) {
    if (error instanceof InvalidReferenceError) {
      throw apiError(GatewayErrorCode.InvalidReference, `image_name: ${error.reason}`, { fields: ['image_name'] });
    }
    throw error;
  }
  return normalizeImage(reference, 'image_name');
}

/** `os/architecture[/variant]` (the DTO checked its shape) as a platform; none when not given. */
export function parsePlatform(value?: string): PlatformDto | undefined {
  if (!value) return undefined;
  const [os, architecture, variant] = value.split('/');
  return variant ? { os, architecture, variant } : { os, architecture };
}
