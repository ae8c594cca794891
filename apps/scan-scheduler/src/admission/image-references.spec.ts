import { CommandRejectedError } from '@vulnscan/messaging';
import { normalizeBatch, normalizeImage } from './image-references';

function rejection(run: () => unknown): Pick<CommandRejectedError, 'code' | 'message'> {
  try {
    run();
  } catch (error) {
    if (error instanceof CommandRejectedError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a CommandRejectedError');
}

describe('admission: image references', () => {
  it('normalizes a reference the way docker does, which is the dedupe key', () => {
    expect(normalizeImage('alpine')).toEqual({
      image: 'docker.io/library/alpine:latest',
      registry: 'docker.io',
      repository: 'library/alpine',
    });
    expect(normalizeImage('ghcr.io/org/app:1.2')).toEqual({ image: 'ghcr.io/org/app:1.2', registry: 'ghcr.io', repository: 'org/app' });
  });

  it('refuses a single invalid reference with invalid_reference (400) and the reason', () => {
    expect(rejection(() => normalizeImage('UPPER/x'))).toEqual({
      code: 'invalid_reference',
      message: 'image: repository name must be lowercase',
    });
  });

  it('counts two spellings of one image as one scan, in the order first seen', () => {
    const batch = normalizeBatch(['alpine', 'ghcr.io/org/app:1', 'docker.io/library/alpine:latest', 'library/alpine'], {
      invalid: 'reject',
      maxImages: 10,
    });
    expect(batch).toEqual({
      images: [
        { image: 'docker.io/library/alpine:latest', registry: 'docker.io', repository: 'library/alpine' },
        { image: 'ghcr.io/org/app:1', registry: 'ghcr.io', repository: 'org/app' },
      ],
      skipped: 0,
    });
  });

  it('leaves out references whose normalized form matches the skip pattern, counted as skipped', () => {
    const batch = normalizeBatch(['alpine', 'nginx:1.27', 'redis:7-rc1'], { skip: /:(latest|.*-rc\d*)$/, invalid: 'skip', maxImages: 10 });
    expect(batch.images.map((i) => i.image)).toEqual(['docker.io/library/nginx:1.27']);
    expect(batch.skipped).toBe(2);
  });

  it('skips invalid references from a registry listing and counts them', () => {
    const batch = normalizeBatch(['alpine', 'a b', ''], { invalid: 'skip', maxImages: 10 });
    expect(batch.images.map((i) => i.image)).toEqual(['docker.io/library/alpine:latest']);
    expect(batch.skipped).toBe(2);
  });

  it('rejects a typed batch with invalid references, quoting the first five', () => {
    const references = ['alpine', 'A', 'B', 'C', 'D', 'E', 'F'];
    expect(rejection(() => normalizeBatch(references, { invalid: 'reject', maxImages: 10 }))).toEqual({
      code: 'invalid_reference',
      message:
        '6 image reference(s) are not valid: "A": repository name must be lowercase; "B": repository name must be lowercase; ' +
        '"C": repository name must be lowercase; "D": repository name must be lowercase; "E": repository name must be lowercase; ...',
    });
    expect(rejection(() => normalizeBatch(['a b'], { invalid: 'reject', maxImages: 10 })).message).toBe(
      '1 image reference(s) are not valid: "a b": reference must not contain whitespace',
    );
  });

  it('refuses more distinct images than BATCH_MAX_IMAGES with too_many_images (422); duplicates and skipped ones do not count', () => {
    expect(
      normalizeBatch(['alpine', 'library/alpine', 'nginx', 'redis:7-rc1'], { skip: /-rc/, invalid: 'reject', maxImages: 2 }).images,
    ).toHaveLength(2);
    expect(rejection(() => normalizeBatch(['alpine', 'nginx', 'redis'], { invalid: 'reject', maxImages: 2 }))).toEqual({
      code: 'too_many_images',
      message: 'the batch would scan 3 images; at most 2 (BATCH_MAX_IMAGES)',
    });
  });
});
