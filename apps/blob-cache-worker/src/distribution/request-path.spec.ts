import { OciError } from './oci-error';
import { parseRegistryPath } from './request-path';

const DIGEST = `sha256:${'a'.repeat(64)}`;

function failure(path: string): { status: number; code: string } {
  try {
    parseRegistryPath(path);
  } catch (error) {
    if (error instanceof OciError) return { status: error.status, code: error.code };
    throw error;
  }
  throw new Error(`${path} was accepted`);
}

describe('parseRegistryPath', () => {
  it('finds the base, manifests by tag or digest, and blobs, with names of several segments', () => {
    expect(parseRegistryPath('/v2/')).toEqual({ kind: 'base' });
    expect(parseRegistryPath('/v2/library/alpine/manifests/3.10')).toEqual({
      kind: 'manifest',
      name: 'library/alpine',
      reference: '3.10',
      byDigest: false,
    });
    expect(parseRegistryPath(`/v2/a/b/c/manifests/${DIGEST}`)).toEqual({
      kind: 'manifest',
      name: 'a/b/c',
      reference: DIGEST,
      byDigest: true,
    });
    expect(parseRegistryPath(`/v2/alpine/blobs/${DIGEST}`)).toEqual({ kind: 'blob', name: 'alpine', digest: DIGEST });
    // the last /manifests/ separates name and reference
    expect(parseRegistryPath('/v2/foo/manifests/manifests/latest')).toMatchObject({ name: 'foo/manifests', reference: 'latest' });
  });

  it.each([
    ['/v2/Library/alpine/manifests/latest', 400, 'NAME_INVALID'],
    ['/v2/library//alpine/manifests/latest', 400, 'NAME_INVALID'],
    ['/v2/../etc/manifests/latest', 400, 'NAME_INVALID'],
    ['/v2/a%2fb/manifests/latest', 400, 'NAME_INVALID'],
    [`/v2/${'a/'.repeat(130)}b/manifests/latest`, 400, 'NAME_INVALID'],
    ['/v2/alpine/manifests/-bad', 400, 'TAG_INVALID'],
    [`/v2/alpine/manifests/${'t'.repeat(129)}`, 400, 'TAG_INVALID'],
    ['/v2/alpine/manifests/sha256:abc', 400, 'DIGEST_INVALID'],
    [`/v2/alpine/manifests/md5:${'a'.repeat(32)}`, 400, 'DIGEST_INVALID'],
    ['/v2/alpine/blobs/latest', 400, 'DIGEST_INVALID'],
    [`/v2/alpine/blobs/sha256:${'A'.repeat(64)}`, 400, 'DIGEST_INVALID'],
    ['/v2/alpine/tags/list', 404, 'UNSUPPORTED'],
    ['/v2/_catalog', 404, 'UNSUPPORTED'],
  ])('%s → %i %s', (path, status, code) => {
    expect(failure(path)).toEqual({ status, code });
  });
});
