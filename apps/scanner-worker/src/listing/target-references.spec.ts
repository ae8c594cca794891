import { CommandRejectedError } from '@vulnscan/messaging';
import { catalogRepository, tagReference, targetImage, targetRegistry, targetRepository } from './target-references';

function rejection(run: () => unknown): CommandRejectedError {
  try {
    run();
  } catch (error) {
    if (error instanceof CommandRejectedError) return error;
    throw error;
  }
  throw new Error('expected a CommandRejectedError');
}

describe('target references', () => {
  it('normalizes an image the way scans do', () => {
    expect(targetImage('alpine:3.10')).toEqual({ registry: 'docker.io', repository: 'library/alpine', tag: '3.10' });
    expect(targetImage('GHCR.io/org/app')).toEqual({ registry: 'ghcr.io', repository: 'org/app', tag: 'latest' });
  });

  it.each([
    ['docker.io', 'alpine', { registry: 'docker.io', repository: 'library/alpine' }],
    ['index.docker.io', 'bitnami/redis', { registry: 'docker.io', repository: 'bitnami/redis' }],
    ['Registry.Example.com:5000', 'team/app', { registry: 'registry.example.com:5000', repository: 'team/app' }],
    ['localhost', 'app', { registry: 'localhost', repository: 'app' }],
  ])('normalizes registry %s and repository %s', (registry, repository, expected) => {
    expect(targetRepository(registry, repository)).toEqual(expected);
  });

  it('normalizes a catalog registry', () => {
    expect(targetRegistry('registry-1.docker.io')).toBe('docker.io');
    expect(targetRegistry('127.0.0.1:5000')).toBe('127.0.0.1:5000');
  });

  it.each([
    [() => targetImage(undefined), 'target.image is required for an image target'],
    [() => targetImage('Alpine'), 'target.image: repository name must be lowercase'],
    [() => targetRegistry(undefined), 'target.registry is required for a repository or catalog target'],
    [
      () => targetRegistry('myregistry'),
      'target.registry "myregistry" cannot name a registry in image references: it needs a "." or a port, or must be localhost',
    ],
    [() => targetRepository('ghcr.io', undefined), 'target.repository is required for a repository target'],
    [() => targetRepository('ghcr.io', 'org/app:1.0'), 'target.repository "org/app:1.0" must be a repository name without tag or digest'],
    [() => targetRepository('ghcr.io', 'Org/App'), 'target.repository: repository name must be lowercase'],
  ])('rejects an invalid target as invalid_target (%#)', (run, message) => {
    expect(rejection(run)).toMatchObject({ code: 'invalid_target', message });
  });

  it('takes catalog names a reference can carry, normalized', () => {
    expect(catalogRepository('127.0.0.1:5000', 'team/app')).toEqual({ registry: '127.0.0.1:5000', repository: 'team/app' });
    expect(catalogRepository('docker.io', 'alpine')).toEqual({ registry: 'docker.io', repository: 'library/alpine' });
    for (const name of ['Team/App', 'team//app', 'team/app:1', 'team/app@sha256:x', '-team']) {
      expect(catalogRepository('127.0.0.1:5000', name)).toBeUndefined();
    }
  });

  it('forms references only from tags a reference can carry', () => {
    const repository = { registry: '127.0.0.1:5000', repository: 'team/app' };
    expect(tagReference(repository, 'v1.2_rc-3')).toBe('127.0.0.1:5000/team/app:v1.2_rc-3');
    expect(tagReference(repository, '-bad')).toBeUndefined();
    expect(tagReference(repository, 'a/b')).toBeUndefined();
    expect(tagReference(repository, 'x'.repeat(129))).toBeUndefined();
  });
});
