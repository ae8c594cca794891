import { ApiError } from '@vulnscan/service-runtime';
import { requiredTarget, targetOf, timingOf } from './schedule-request';

function apiError(run: () => unknown): Pick<ApiError, 'statusCode' | 'code' | 'detail' | 'extra'> {
  try {
    run();
  } catch (error) {
    if (error instanceof ApiError) return { statusCode: error.statusCode, code: error.code, detail: error.detail, extra: error.extra };
    throw error;
  }
  throw new Error('expected an ApiError');
}

describe('schedule request checks', () => {
  it('normalizes each kind of target', () => {
    expect(targetOf({ image: 'alpine' })).toEqual({ kind: 'image', image: 'docker.io/library/alpine:latest' });
    expect(targetOf({ repository: 'ghcr.io/acme/api', tag_filter: '^v\\d+$' })).toEqual({
      kind: 'repository',
      registry: 'ghcr.io',
      repository: 'acme/api',
      tagFilter: '^v\\d+$',
    });
    expect(targetOf({ registry: 'Registry.Internal:5000' })).toEqual({ kind: 'catalog', registry: 'registry.internal:5000' });
    expect(targetOf({})).toBeUndefined();
  });

  it('refuses two targets at once, naming them', () => {
    expect(apiError(() => targetOf({ image: 'alpine', registry: 'ghcr.io' }))).toEqual({
      statusCode: 400,
      code: 'invalid_target',
      detail: 'give one of image, repository and registry, not image and registry',
      extra: { fields: ['image', 'registry'] },
    });
  });

  it('refuses a tag filter on an image or without a target', () => {
    expect(apiError(() => targetOf({ image: 'alpine', tag_filter: 'x' })).detail).toBe(
      'tag_filter applies to repository and registry targets only',
    );
    expect(apiError(() => targetOf({ tag_filter: 'x' })).detail).toBe('tag_filter needs a repository or registry');
  });

  it('refuses an invalid repository or registry host', () => {
    expect(apiError(() => targetOf({ repository: 'UPPER/x' }))).toEqual({
      statusCode: 400,
      code: 'invalid_reference',
      detail: 'repository: repository name must be lowercase',
      extra: { fields: ['repository'] },
    });
    expect(apiError(() => targetOf({ registry: 'not a host' })).detail).toBe('registry must be a host or host:port');
  });

  it('requires a target for a new schedule', () => {
    expect(apiError(() => requiredTarget({}))).toEqual({
      statusCode: 400,
      code: 'invalid_target',
      detail: 'give one of image, repository and registry',
      extra: { fields: ['image', 'repository', 'registry'] },
    });
  });

  it('passes only the timing fields given, and never interval with cron', () => {
    expect(timingOf({})).toEqual({});
    expect(timingOf({ interval: 3600, enabled: false })).toEqual({ intervalSeconds: 3600, enabled: false });
    expect(timingOf({ cron: '0 3 * * *' })).toEqual({ cron: '0 3 * * *' });
    expect(apiError(() => timingOf({ interval: 60, cron: '0 3 * * *' }))).toEqual({
      statusCode: 400,
      code: 'invalid_schedule',
      detail: 'give either interval or cron, not both',
      extra: { fields: ['interval', 'cron'] },
    });
  });
});
