import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { LayerDto } from './common';

const problemsOf = (digest: unknown) =>
  validateSync(plainToInstance(LayerDto, { digest, size: 1, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' })).flatMap((error) =>
    Object.values(error.constraints ?? {}),
  );

describe('IsImageDigest (the one digest grammar on the wire)', () => {
  it('accepts sha256, sha384 and sha512 of the right length', () => {
    for (const digest of [`sha256:${'a'.repeat(64)}`, `sha384:${'b'.repeat(96)}`, `sha512:${'c'.repeat(128)}`]) {
      expect(problemsOf(digest)).toEqual([]);
    }
  });

  it('rejects what the old loose pattern let through, saying why', () => {
    expect(problemsOf(`sha1:${'a'.repeat(40)}`)).toEqual(['digest algorithm "sha1" is not supported (sha256, sha384, sha512)']);
    expect(problemsOf(`sha256:${'A'.repeat(64)}`)).toEqual(['sha256 digest must be 64 lowercase hex characters']);
    expect(problemsOf('sha256:abc')).toEqual(['sha256 digest must be 64 lowercase hex characters']);
    expect(problemsOf('not a digest')).toEqual(['digest "not a digest" must have the form algorithm:hex']);
    expect(problemsOf(42)).toEqual(['digest must be a string']);
  });
});
