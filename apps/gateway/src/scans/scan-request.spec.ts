import { ApiError } from '@vulnscan/service-runtime';
import { normalizeImage, parsePlatform, requestedImage } from './scan-request';

function apiError(run: () => unknown): Pick<ApiError, 'statusCode' | 'code' | 'detail' | 'extra'> {
  try {
    run();
  } catch (error) {
    if (error instanceof ApiError) return { statusCode: error.statusCode, code: error.code, detail: error.detail, extra: error.extra };
    throw error;
  }
  throw new Error('expected an ApiError');
}

describe('scan request normalization', () => {
  it('normalizes an image reference with Docker Hub and library/ defaults', () => {
    expect(normalizeImage('alpine')).toBe('docker.io/library/alpine:latest');
    expect(normalizeImage('Ghcr.io/org/app@sha256:' + 'a'.repeat(64))).toBe('ghcr.io/org/app@sha256:' + 'a'.repeat(64));
  });

  it('answers 400 invalid_reference naming the field', () => {
    expect(apiError(() => normalizeImage('UPPER/x', 'reference'))).toEqual({
      statusCode: 400,
      code: 'invalid_reference',
      detail: 'reference: repository name must be lowercase',
      extra: { fields: ['reference'] },
    });
  });

  it('takes image, or else the older image_name and image_tag', () => {
    expect(requestedImage({ image: 'nginx:1.27', image_name: 'ignored' })).toBe('docker.io/library/nginx:1.27');
    expect(requestedImage({ image_name: 'nginx' })).toBe('docker.io/library/nginx:latest');
    expect(requestedImage({ image_name: 'nginx', image_tag: '1.27' })).toBe('docker.io/library/nginx:1.27');
  });

  it('refuses an image_name that carries a tag when image_tag is given, naming image_name', () => {
    expect(apiError(() => requestedImage({ image_name: 'nginx:1', image_tag: '2' }))).toEqual({
      statusCode: 400,
      code: 'invalid_reference',
      detail: 'image_name: image_name must not carry a tag or digest when image_tag is given',
      extra: { fields: ['image_name'] },
    });
  });

  it('reads os/architecture[/variant] as a platform', () => {
    expect(parsePlatform('linux/arm64')).toEqual({ os: 'linux', architecture: 'arm64' });
    expect(parsePlatform('linux/arm/v7')).toEqual({ os: 'linux', architecture: 'arm', variant: 'v7' });
    expect(parsePlatform(undefined)).toBeUndefined();
    expect(parsePlatform('')).toBeUndefined();
  });
});
