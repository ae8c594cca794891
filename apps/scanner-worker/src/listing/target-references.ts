import { WorkerErrorCode } from '@vulnscan/contracts';
import { CommandRejectedError } from '@vulnscan/messaging';
import {
  ImageReference,
  InvalidReferenceError,
  formatReference,
  parseImageReference,
  parseRepositoryName,
} from '@vulnscan/image-reference';
import { RepositoryName } from '@vulnscan/registry';

/**
 * Target fields as the registry lib normalizes references (`docker.io`, `library/`), so listed
 * images have the identity a scan of the same image gets. Invalid fields reject the command (400).
 */
export function targetImage(image: string | undefined): ImageReference {
  if (!image) throw invalidTarget('target.image is required for an image target');
  return parsed('target.image', () => parseImageReference(image));
}

/** The registry part of references: lowercase, Docker Hub's aliases as `docker.io`. */
export function targetRegistry(registry: string | undefined): string {
  if (!registry) throw invalidTarget('target.registry is required for a repository or catalog target');
  // Docker reads a first component without "." or ":" (other than localhost) as a Docker Hub namespace.
  const host = registry.toLowerCase();
  if (!host.includes('.') && !host.includes(':') && host !== 'localhost') {
    throw invalidTarget(
      `target.registry "${registry}" cannot name a registry in image references: it needs a "." or a port, or must be localhost`,
    );
  }
  return parsed('target.registry', () => parseRepositoryName(`${host}/x`)).registry;
}

export function targetRepository(registry: string | undefined, repository: string | undefined): RepositoryName {
  const host = targetRegistry(registry);
  if (!repository) throw invalidTarget('target.repository is required for a repository target');
  if (/[:@]/.test(repository)) throw invalidTarget(`target.repository "${repository}" must be a repository name without tag or digest`);
  return parsed('target.repository', () => parseRepositoryName(`${host}/${repository}`));
}

/** A repository name from a registry's catalog, normalized; undefined when no reference can carry it. */
export function catalogRepository(registry: string, name: string): RepositoryName | undefined {
  try {
    return /[:@]/.test(name) ? undefined : parseRepositoryName(`${registry}/${name}`);
  } catch {
    return undefined;
  }
}

/** `registry/repository:tag`, or undefined for a tag no reference can carry (a registry listing it is broken). */
export function tagReference(repository: RepositoryName, tag: string): string | undefined {
  const text = formatReference({ ...repository, tag });
  try {
    return formatReference(parseImageReference(text)) === text ? text : undefined;
  } catch {
    return undefined;
  }
}

function parsed<T>(field: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof InvalidReferenceError) throw invalidTarget(`${field}: ${error.reason}`);
    throw error;
  }
}

function invalidTarget(message: string): CommandRejectedError {
  return new CommandRejectedError(WorkerErrorCode.InvalidTarget, message);
}
