import { digestProblem, isDigest } from './digest';

/** A normalized image reference: the identity of an image across the platform. */
export interface ImageReference {
  readonly registry: string;
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

export class InvalidReferenceError extends Error {
  constructor(
    readonly input: string,
    /** Human-readable, safe to show to API users. */
    readonly reason: string,
  ) {
    super(`invalid image reference "${input.length > 300 ? `${input.slice(0, 300)}…` : input}": ${reason}`);
    this.name = 'InvalidReferenceError';
  }
}

export const DOCKER_HUB = 'docker.io';
const DOCKER_HUB_ALIASES = new Set(['index.docker.io', 'registry-1.docker.io']);
/** distribution/reference NameTotalLengthMax, counted on the normalized name. */
const NAME_MAX_LENGTH = 255;

// The grammar of distribution/reference (regexp.go), spelled out once.
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN_NAME = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*`;
const IPV6 = '\\[[a-fA-F0-9:]+\\]';
const DOMAIN = new RegExp(`^(?:${DOMAIN_NAME}|${IPV6})(?::([0-9]+))?$`);
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const IMAGE_ID = /^[a-f0-9]{64}$/;
const SCHEME = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//;

/** Whether `host` is a registry host as image references spell it (host or host:port, port 1–65535). */
export function isRegistryHost(host: string): boolean {
  const match = DOMAIN.exec(host);
  return match !== null && (match[1] === undefined || (Number(match[1]) >= 1 && Number(match[1]) <= 65535));
}

/** A registry host as references name it: lowercase (host names are case-insensitive), Docker Hub's aliases folded into docker.io. */
export function normalizeRegistryHost(host: string): string {
  const lower = host.trim().toLowerCase();
  return DOCKER_HUB_ALIASES.has(lower) ? DOCKER_HUB : lower;
}

/**
 * Parses and normalizes a reference the way docker does (`alpine` → `docker.io/library/alpine:latest`),
 * so two spellings of one image share one identity. Throws InvalidReferenceError.
 */
export function parseImageReference(input: string): ImageReference {
  return parse(input, true);
}

/** The canonical spelling: `registry/repository[:tag][@digest]`. */
export function formatReference(ref: ImageReference): string {
  return `${ref.registry}/${ref.repository}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
}

/** A repository without tag or digest (`ghcr.io/org/app`, `alpine` → `docker.io/library/alpine`). */
export function parseRepositoryName(input: string): { registry: string; repository: string } {
  const { registry, repository, tag, digest } = parse(input, false);
  if (tag || digest) throw new InvalidReferenceError(input, 'a repository must not carry a tag or digest');
  return { registry, repository };
}

/**
 * For the legacy API shape `{image_name, image_tag}`: the canonical reference string of the pair.
 * Some clients put a digest in image_tag, so a value that is a digest is taken as one.
 */
export function referenceFromParts(name: string, tag?: string): string {
  if (tag === undefined || tag === '') return formatReference(parse(name, true));
  const base = parse(name, false);
  if (base.tag || base.digest) {
    throw new InvalidReferenceError(name, 'image_name must not carry a tag or digest when image_tag is given');
  }
  if (isDigest(tag)) return formatReference({ ...base, digest: tag });
  if (!TAG.test(tag)) throw new InvalidReferenceError(tag, tagReason(tag));
  return formatReference({ ...base, tag });
}

function parse(input: string, defaultTag: boolean): ImageReference {
  const fail = (reason: string): never => {
    throw new InvalidReferenceError(input, reason);
  };
  if (input.length === 0) fail('reference is empty');
  if (/\s/.test(input)) fail('reference must not contain whitespace');
  if (SCHEME.test(input)) fail('reference must not include a URL scheme such as https://');

  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    const problem = digest.includes('@') ? 'reference may contain only one "@"' : digestProblem(digest);
    if (problem) fail(problem);
  }

  let tag: string | undefined;
  const tagColon = rest.indexOf(':', rest.lastIndexOf('/') + 1);
  if (tagColon >= 0) {
    tag = rest.slice(tagColon + 1);
    rest = rest.slice(0, tagColon);
    if (!TAG.test(tag)) fail(tagReason(tag));
  }

  if (IMAGE_ID.test(rest)) fail('a 64-character hex string is an image ID, not a repository name');
  const { registry, path } = splitRegistry(rest, fail);
  const repository = registry === DOCKER_HUB && !path.includes('/') ? `library/${path}` : path;
  if (registry.length + 1 + repository.length > NAME_MAX_LENGTH) {
    fail(`repository name must not be more than ${NAME_MAX_LENGTH} characters`);
  }
  if (defaultTag && !tag && !digest) tag = 'latest';
  return { registry, repository, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

function splitRegistry(name: string, fail: (reason: string) => never): { registry: string; path: string } {
  const slash = name.indexOf('/');
  const first = slash >= 0 ? name.slice(0, slash) : '';
  const hasHost = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  const path = hasHost ? name.slice(slash + 1) : name;

  let registry = DOCKER_HUB;
  if (hasHost) {
    const match = DOMAIN.exec(first);
    if (!match) fail(`registry host "${first}" is invalid`);
    const port = match?.[1];
    if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) fail(`registry port ${port} is out of range`);
    registry = normalizeRegistryHost(first);
  }

  if (path.length === 0) fail('repository name is empty');
  if (path !== path.toLowerCase()) fail('repository name must be lowercase');
  for (const component of path.split('/')) {
    if (!PATH_COMPONENT.test(component)) {
      fail(
        component.length === 0
          ? 'repository name has an empty path component'
          : `repository path component "${component}" is invalid: use lowercase letters and digits, separated by ".", "_", "__" or "-"`,
      );
    }
  }
  return { registry, path };
}

function tagReason(tag: string): string {
  if (tag.length === 0) return 'tag is empty';
  if (tag.length > 128) return 'tag must not be longer than 128 characters';
  return `tag "${tag}" is invalid: it must start with a letter, digit or "_" and contain only letters, digits, "_", "." and "-"`;
}
