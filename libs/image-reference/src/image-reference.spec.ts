import {
  InvalidReferenceError,
  formatReference,
  isRegistryHost,
  normalizeRegistryHost,
  parseImageReference,
  referenceFromParts,
} from './image-reference';

const HEX = 'a'.repeat(64);
const DIGEST = `sha256:${HEX}`;

describe('parseImageReference', () => {
  it.each([
    ['alpine', 'docker.io/library/alpine:latest'],
    ['alpine:3.10', 'docker.io/library/alpine:3.10'],
    ['docker.io/library/alpine:3.10', 'docker.io/library/alpine:3.10'],
    ['docker.io/alpine:3.10', 'docker.io/library/alpine:3.10'],
    ['index.docker.io/library/alpine:3.10', 'docker.io/library/alpine:3.10'],
    ['registry-1.docker.io/alpine', 'docker.io/library/alpine:latest'],
    ['bitnami/redis:7.2', 'docker.io/bitnami/redis:7.2'],
    ['127.0.0.1:5000/library/alpine:3.10', '127.0.0.1:5000/library/alpine:3.10'],
    ['localhost/app', 'localhost/app:latest'],
    ['localhost:5000/team/app:v1', 'localhost:5000/team/app:v1'],
    ['ghcr.io/org/app', 'ghcr.io/org/app:latest'],
    [`ghcr.io/org/app@${DIGEST}`, `ghcr.io/org/app@${DIGEST}`],
    [`alpine:3.10@${DIGEST}`, `docker.io/library/alpine:3.10@${DIGEST}`],
    ['GHCR.IO/org/app:Tag_1', 'ghcr.io/org/app:Tag_1'],
    ['[::1]:5000/app:1', '[::1]:5000/app:1'],
    ['quay.io/a/b/c/d:1.0-rc.1', 'quay.io/a/b/c/d:1.0-rc.1'],
    ['my-registry.example.com:8443/a__b/c.d_e-f--g:x', 'my-registry.example.com:8443/a__b/c.d_e-f--g:x'],
  ])('normalizes %s to %s', (input, expected) => {
    expect(formatReference(parseImageReference(input))).toBe(expected);
  });

  it('returns the parts', () => {
    expect(parseImageReference('alpine:3.10')).toEqual({ registry: 'docker.io', repository: 'library/alpine', tag: '3.10' });
    expect(parseImageReference(`ghcr.io/org/app@${DIGEST}`)).toEqual({ registry: 'ghcr.io', repository: 'org/app', digest: DIGEST });
    expect(parseImageReference(`app:1@${DIGEST}`)).toEqual({ registry: 'docker.io', repository: 'library/app', tag: '1', digest: DIGEST });
  });

  it('reads a single segment with a port-like suffix as a tag, as docker does', () => {
    expect(parseImageReference('localhost:5000')).toEqual({ registry: 'docker.io', repository: 'library/localhost', tag: '5000' });
  });

  it.each([
    ['', 'reference is empty'],
    ['Alpine', 'repository name must be lowercase'],
    ['docker.io/Library/alpine', 'repository name must be lowercase'],
    ['ghcr.io/Org/app:1', 'repository name must be lowercase'],
    ['alpine:', 'tag is empty'],
    ['alpine:-bad', 'tag "-bad" is invalid: it must start with a letter, digit or "_" and contain only letters, digits, "_", "." and "-"'],
    ['alpine:a+b', 'tag "a+b" is invalid: it must start with a letter, digit or "_" and contain only letters, digits, "_", "." and "-"'],
    [`alpine:${'a'.repeat(129)}`, 'tag must not be longer than 128 characters'],
    ['alpine@sha256:abc', 'sha256 digest must be 64 lowercase hex characters'],
    [`alpine@sha256:${'A'.repeat(64)}`, 'sha256 digest must be 64 lowercase hex characters'],
    [`alpine@md5:${HEX}`, 'digest algorithm "md5" is not supported (sha256, sha384, sha512)'],
    ['alpine@', 'digest "" must have the form algorithm:hex'],
    [`a@${DIGEST}@${DIGEST}`, 'reference may contain only one "@"'],
    ['https://ghcr.io/org/app', 'reference must not include a URL scheme such as https://'],
    ['alpine 3.10', 'reference must not contain whitespace'],
    [HEX, 'a 64-character hex string is an image ID, not a repository name'],
    ['ghcr.io/', 'repository name is empty'],
    ['ghcr.io//app', 'repository name has an empty path component'],
    ['org/-app', 'repository path component "-app" is invalid: use lowercase letters and digits, separated by ".", "_", "__" or "-"'],
    ['org/a..b', 'repository path component "a..b" is invalid: use lowercase letters and digits, separated by ".", "_", "__" or "-"'],
    ['org/a___b', 'repository path component "a___b" is invalid: use lowercase letters and digits, separated by ".", "_", "__" or "-"'],
    ['-bad.io/app', 'registry host "-bad.io" is invalid'],
    ['host:99999/app', 'registry port 99999 is out of range'],
    ['host:0/app', 'registry port 0 is out of range'],
    [`ghcr.io/${'a'.repeat(250)}`, 'repository name must not be more than 255 characters'],
  ])('rejects %j: %s', (input, reason) => {
    let caught: unknown;
    try {
      parseImageReference(input);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidReferenceError);
    expect((caught as InvalidReferenceError).reason).toBe(reason);
  });

  it('counts the length limit on the normalized name', () => {
    const name = 'a'.repeat(255 - 'docker.io/library/'.length);
    expect(parseImageReference(name).repository).toBe(`library/${name}`);
    expect(() => parseImageReference(`${name}a`)).toThrow('repository name must not be more than 255 characters');
  });
});

describe('referenceFromParts', () => {
  it('joins image_name and image_tag', () => {
    expect(referenceFromParts('alpine', '3.10')).toBe('docker.io/library/alpine:3.10');
    expect(referenceFromParts('127.0.0.1:5000/library/alpine', '3.10')).toBe('127.0.0.1:5000/library/alpine:3.10');
  });

  it('defaults the tag to latest and accepts a full reference alone', () => {
    expect(referenceFromParts('alpine')).toBe('docker.io/library/alpine:latest');
    expect(referenceFromParts('alpine:3.10', '')).toBe('docker.io/library/alpine:3.10');
  });

  it('takes a digest in image_tag as a digest', () => {
    expect(referenceFromParts('ghcr.io/org/app', DIGEST)).toBe(`ghcr.io/org/app@${DIGEST}`);
  });

  it('rejects a tag given twice or an invalid tag', () => {
    expect(() => referenceFromParts('alpine:3.10', '3.11')).toThrow('image_name must not carry a tag or digest when image_tag is given');
    expect(() => referenceFromParts('alpine', 'bad tag')).toThrow(InvalidReferenceError);
    expect(() => referenceFromParts('Alpine', '1')).toThrow('repository name must be lowercase');
  });
});

describe('registry hosts', () => {
  it('knows a registry host as references spell it', () => {
    for (const host of ['docker.io', 'ghcr.io', 'localhost:5000', '127.0.0.1:5555', '[::1]:5000', 'registry-1.docker.io']) {
      expect(isRegistryHost(host)).toBe(true);
    }
    for (const host of ['', 'a_b.io', 'host:0', 'host:65536', 'host:port', 'https://ghcr.io', 'ghcr.io/x']) {
      expect(isRegistryHost(host)).toBe(false);
    }
  });

  it("normalizes case and folds Docker Hub's aliases", () => {
    expect(normalizeRegistryHost(' REGISTRY-1.docker.io ')).toBe('docker.io');
    expect(normalizeRegistryHost('Index.Docker.IO')).toBe('docker.io');
    expect(normalizeRegistryHost('GHCR.io:443')).toBe('ghcr.io:443');
  });
});
