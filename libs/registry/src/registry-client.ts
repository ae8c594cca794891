import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { ScanError, ScanErrorCode } from '@vulnscan/contracts';
import { DigestVerifyingStream } from './blob/verifying-stream';
import { RequestContext, describe, errorForNetworkFailure, isCallerAbort } from './http/error-mapping';
import { RegistryHttp } from './http/registry-http';
import type { ListOptions, NameList } from './listing/paged-names';
import { RegistryListing, RepositoryName } from './listing/registry-listing';
import { classifyManifest, parseImageConfig, parseImageManifest, parseIndex } from './manifest/manifest-parser';
import { DEFAULT_MANIFEST_LIMITS, ManifestBudget, ManifestLimits, ManifestReading } from './manifest/manifest-budget';
import { MANIFEST_ACCEPT, MAX_CONFIG_BYTES } from './manifest/media-types';
import { DEFAULT_PLATFORM, formatPlatform, selectPlatform } from './manifest/platform';
import { digestOf, digestProblem, isDigest, parseDigest } from '@vulnscan/image-reference';
import { ImageReference, formatReference } from '@vulnscan/image-reference';
import type {
  Descriptor,
  FetchedManifest,
  FetchManifestOptions,
  OpenBlobOptions,
  RegistryClientOptions,
  ResolveOptions,
  ResolvedImage,
} from './types';

/** An OCI Distribution (v2) client: resolves references to verified manifests and streams verified blobs. */
export class RegistryClient {
  private readonly http: RegistryHttp;
  private readonly listing: RegistryListing;
  private readonly manifestLimits: ManifestLimits;

  constructor(options: RegistryClientOptions) {
    this.manifestLimits = { ...DEFAULT_MANIFEST_LIMITS, ...options.manifestLimits };
    this.http = new RegistryHttp({
      insecureRegistries: options.insecureRegistries,
      policy: options.policy,
      credentialsFor: options.credentialsFor,
      timeoutMs: options.requestTimeoutMs ?? 30_000,
      userAgent: options.userAgent ?? 'vulnscan-registry-client/0.1',
      breaker: options.breaker,
      mirror: options.mirror,
    });
    this.listing = new RegistryListing(this.http);
  }

  /**
   * The image a reference names, for one platform when it names an index. The index and the child
   * manifest share one {@link ManifestBudget}: the pull reads at most MANIFEST_PULL_MAX_BYTES of both.
   */
  async resolve(ref: ImageReference, options: ResolveOptions = {}): Promise<ResolvedImage> {
    const budget = this.manifestBudget();
    const { signal } = options;
    const top = await this.fetchManifest(ref, ref.digest ?? ref.tag ?? 'latest', { expectedDigest: ref.digest, signal, budget });
    const topWhere = `manifest ${formatReference(ref)}`;
    const topKind = classifyManifest(top.bytes, top.contentType, topWhere);

    if (topKind.kind === 'image') {
      const manifest = parseImageManifest(topKind.json, topWhere);
      const config = await this.readBlob(ref, manifest.config, MAX_CONFIG_BYTES, options.signal);
      const platform = parseImageConfig(config, `config ${manifest.config.digest} of ${formatReference(ref)}`);
      return {
        reference: ref,
        manifestDigest: top.digest,
        mediaType: topKind.mediaType,
        platform,
        configDigest: manifest.config.digest,
        layers: manifest.layers,
      };
    }

    const entries = parseIndex(topKind.json, topWhere, budget.limits.maxIndexChildren);
    const wanted = options.platform ?? DEFAULT_PLATFORM;
    const chosen =
      entries[
        selectPlatform(
          entries.map((e) => e.platform),
          wanted,
        )
      ];
    if (!chosen?.platform) {
      // Attestation manifests (unknown/unknown) are not platforms anyone can ask for.
      const available = new Set(entries.flatMap((e) => (e.platform && e.platform.os !== 'unknown' ? [formatPlatform(e.platform)] : [])));
      const listed = available.size ? [...available].join(', ') : 'none';
      throw new ScanError(ScanErrorCode.PlatformNotFound, `${topWhere} has no image for ${formatPlatform(wanted)}; available: ${listed}`);
    }

    const childWhere = `manifest ${chosen.digest} (${formatPlatform(chosen.platform)}) of ${formatReference(ref)}`;
    const child = await this.fetchManifest(ref, chosen.digest, {
      expectedDigest: chosen.digest,
      signal,
      budget,
      declaredSize: chosen.size,
    });
    if (child.bytes.length !== chosen.size) {
      throw new ScanError(
        ScanErrorCode.DigestMismatch,
        `${childWhere} is ${child.bytes.length} bytes, but the index declares ${chosen.size}`,
      );
    }
    const childKind = classifyManifest(child.bytes, child.contentType, childWhere);
    if (childKind.kind !== 'image') {
      throw new ScanError(ScanErrorCode.UnsupportedMediaType, `${childWhere}: nested indexes are not supported`);
    }
    const manifest = parseImageManifest(childKind.json, childWhere);
    return {
      reference: ref,
      manifestDigest: child.digest,
      mediaType: childKind.mediaType,
      indexDigest: top.digest,
      platform: chosen.platform,
      configDigest: manifest.config.digest,
      layers: manifest.layers,
    };
  }

  /**
   * Streams a blob without buffering it. The stream errors with digest_mismatch instead of ending
   * when the content does not match `descriptor`, and with unreachable when the transfer breaks.
   */
  async openBlob(ref: ImageReference, descriptor: Descriptor, options: OpenBlobOptions = {}): Promise<Readable> {
    const problem = digestProblem(descriptor.digest);
    if (problem || !Number.isSafeInteger(descriptor.size) || descriptor.size < 0) {
      const reason = problem ?? 'size must be a non-negative integer';
      throw new ScanError(ScanErrorCode.ManifestInvalid, `blob descriptor for ${formatReference(ref)} is invalid: ${reason}`);
    }
    const ctx = { registry: ref.registry, repository: ref.repository, what: `blob ${descriptor.digest}` };
    const response = await this.http.get({
      ...ctx,
      path: `/v2/${ref.repository}/blobs/${descriptor.digest}`,
      headers: options.headers,
      signal: options.signal,
    });
    const body = response.body;
    const declared = Number(response.headers['content-length']);
    const verifier = new DigestVerifyingStream(descriptor, describe(ctx));
    if (response.headers['content-length'] !== undefined && declared !== descriptor.size) {
      body.destroy();
      const detail = `is ${declared} bytes, but its descriptor declares ${descriptor.size}`;
      throw new ScanError(ScanErrorCode.DigestMismatch, `${describe(ctx)} ${detail}`);
    }
    wire(body, verifier, (error) => (isCallerAbort(error, options.signal) ? error : errorForNetworkFailure(error, ctx)));
    return verifier;
  }

  /** A repository's tags (`GET /v2/<name>/tags/list`), following the registry's pages. */
  listTags(repository: RepositoryName, options?: ListOptions): Promise<NameList> {
    return this.listing.tags(repository, options);
  }

  /** The repositories of a registry (`GET /v2/_catalog`), following its pages. */
  listRepositories(registry: string, options?: ListOptions): Promise<NameList> {
    return this.listing.repositories(registry, options);
  }

  /** A budget for one pull with this client's limits (pass it to every {@link fetchManifest} of that pull). */
  manifestBudget(): ManifestBudget {
    return new ManifestBudget(this.manifestLimits);
  }

  /** Releases sockets and breaker timers; the client must not be used afterwards. */
  close(): void {
    this.http.close();
  }

  /**
   * One manifest as the registry stores it, unparsed: `reference` is a tag or a digest. The bytes
   * are verified against the digest when the reference is one (or `expectedDigest` is given),
   * otherwise against the registry's Docker-Content-Digest header when it sends one. The read is
   * charged to `options.budget` (a budget of its own when absent) and stops as soon as it would
   * cross a limit: at once when the declared size or Content-Length says so, else mid-body.
   */
  async fetchManifest(ref: ImageReference, reference: string, options: FetchManifestOptions = {}): Promise<FetchedManifest> {
    const { signal, budget = this.manifestBudget() } = options;
    const expectedDigest = options.expectedDigest ?? (isDigest(reference) ? reference : undefined);
    const ctx: RequestContext = { registry: ref.registry, repository: ref.repository, what: `manifest ${reference}` };
    const where = describe(ctx);
    const reading = budget.open(where, options.declaredSize);
    const path = `/v2/${ref.repository}/manifests/${reference}`;
    const response = await this.http.get({ ...ctx, path, headers: { Accept: MANIFEST_ACCEPT }, signal });
    const bytes = await readManifestBody(response.body, reading, (error) =>
      isCallerAbort(error, signal) ? error : errorForNetworkFailure(error, ctx),
    );

    // Docker-Content-Digest is only the registry's claim: a tag lookup is checked against it,
    // a digest lookup against the digest we asked for.
    const header = response.headers['docker-content-digest'];
    const claimed = expectedDigest ?? (typeof header === 'string' && isDigest(header.trim()) ? header.trim() : undefined);
    const actual = digestOf(bytes, claimed ? parseDigest(claimed).algorithm : 'sha256');
    if (claimed && actual !== claimed) {
      const source = expectedDigest ? 'the reference' : 'Docker-Content-Digest';
      throw new ScanError(ScanErrorCode.DigestMismatch, `${where} hashes to ${actual}, but ${source} says ${claimed}`);
    }
    const contentType = response.headers['content-type'];
    return { digest: actual, bytes, ...(contentType ? { contentType } : {}) };
  }

  /** A small blob (an image config), read whole through the verifying stream. */
  private async readBlob(ref: ImageReference, descriptor: Descriptor, limit: number, signal?: AbortSignal): Promise<Buffer> {
    const where = describe({ registry: ref.registry, repository: ref.repository, what: `blob ${descriptor.digest}` });
    if (descriptor.size > limit) {
      throw new ScanError(ScanErrorCode.ManifestInvalid, `${where} is ${descriptor.size} bytes, more than the ${limit} allowed`);
    }
    const stream = await this.openBlob(ref, descriptor, { signal });
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }
}

/**
 * Connects the HTTP body to the verifier by hand rather than with pipeline(): transfer errors
 * become scan errors, and a body that closes early without an error still fails the stream.
 */
function wire(body: IncomingMessage, verifier: DigestVerifyingStream, mapError: (error: unknown) => unknown): void {
  body.on('error', (error) => verifier.destroy(mapError(error) as Error));
  body.on('close', () => {
    if (!body.readableEnded) verifier.destroy(mapError(new Error('connection closed before the blob was complete')) as Error);
  });
  verifier.on('close', () => {
    if (!body.destroyed) body.destroy();
  });
  body.pipe(verifier);
}

/**
 * Reads a manifest body, charging its pull's budget: a Content-Length over a limit is refused
 * before reading, and every chunk is counted as it arrives, so a body without (or lying in) its
 * header is cut off within one chunk of the limit. Transfer failures go through `mapError`; budget refusals
 * (ScanErrors) pass as they are.
 */
async function readManifestBody(body: IncomingMessage, reading: ManifestReading, mapError: (error: unknown) => unknown): Promise<Buffer> {
  const header = body.headers['content-length'];
  const declared = header === undefined ? NaN : Number(header);
  const chunks: Buffer[] = [];
  try {
    if (Number.isSafeInteger(declared) && declared >= 0) reading.expect(declared);
    for await (const chunk of body) {
      reading.add((chunk as Buffer).length);
      chunks.push(chunk as Buffer);
    }
    reading.done();
  } catch (error) {
    body.destroy();
    if (error instanceof ScanError) throw error;
    throw mapError(error);
  }
  return Buffer.concat(chunks);
}
