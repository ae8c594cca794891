import { digestOf, digestProblem, isDigest } from './digest';

describe('digests', () => {
  it('accepts sha256, sha384 and sha512 with their exact lengths', () => {
    expect(isDigest(`sha256:${'0'.repeat(64)}`)).toBe(true);
    expect(isDigest(`sha384:${'0'.repeat(96)}`)).toBe(true);
    expect(isDigest(`sha512:${'0'.repeat(128)}`)).toBe(true);
    expect(digestProblem(`sha512:${'0'.repeat(64)}`)).toBe('sha512 digest must be 128 lowercase hex characters');
  });

  it('computes the digest of bytes', () => {
    expect(digestOf(Buffer.from('{}'))).toBe('sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a');
  });
});
