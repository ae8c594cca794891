import { isDigest } from '@vulnscan/image-reference';
import { OciError } from './oci-error';

export type RegistryRoute =
  | { readonly kind: 'base' }
  | { readonly kind: 'manifest'; readonly name: string; readonly reference: string; readonly byDigest: boolean }
  | { readonly kind: 'blob'; readonly name: string; readonly digest: string };

/** distribution/reference: lowercase components separated by ".", "_", "__" or dashes. */
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
/** distribution's NameTotalLengthMax. */
const NAME_MAX_LENGTH = 255;
const ROUTE = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/;

/**
 * Splits a /v2/ request path into what it asks for. Names may span several path segments
 * (`library/alpine`); the last `/manifests/` or `/blobs/` separates name and reference.
 * Throws OciError (400 for malformed names, references and digests, 404 for other routes).
 */
export function parseRegistryPath(path: string): RegistryRoute {
  if (path === '/v2' || path === '/v2/') return { kind: 'base' };
  const match = ROUTE.exec(path);
  if (!match) {
    throw new OciError(
      404,
      'UNSUPPORTED',
      'this pull-through cache serves GET and HEAD of /v2/<name>/manifests/<reference> and /v2/<name>/blobs/<digest>',
    );
  }
  const [, name = '', what, reference = ''] = match;
  checkName(name);
  if (what === 'blobs') {
    if (!isDigest(reference)) throw invalidDigest(reference);
    return { kind: 'blob', name, digest: reference };
  }
  if (reference.includes(':')) {
    if (!isDigest(reference)) throw invalidDigest(reference);
    return { kind: 'manifest', name, reference, byDigest: true };
  }
  if (!TAG.test(reference)) {
    throw new OciError(
      400,
      'TAG_INVALID',
      `tag "${clip(reference)}" is invalid: letters, digits, "_", "." and "-", starting with a letter, digit or "_", at most 128`,
    );
  }
  return { kind: 'manifest', name, reference, byDigest: false };
}

function checkName(name: string): void {
  if (name.length > NAME_MAX_LENGTH) {
    throw new OciError(400, 'NAME_INVALID', `repository name is longer than ${NAME_MAX_LENGTH} characters`);
  }
  for (const component of name.split('/')) {
    if (!PATH_COMPONENT.test(component)) {
      throw new OciError(
        400,
        'NAME_INVALID',
        `repository name "${clip(name)}" is invalid: path components are lowercase letters and digits separated by ".", "_", "__" or "-"`,
      );
    }
  }
}

function invalidDigest(value: string): OciError {
  return new OciError(
    400,
    'DIGEST_INVALID',
    `"${clip(value)}" is not a digest this cache can verify (sha256, sha384 or sha512 with lowercase hex)`,
  );
}

function clip(value: string): string {
  return value.length > 100 ? `${value.slice(0, 100)}…` : value;
}
