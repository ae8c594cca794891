import { Inject, Injectable, Logger } from '@nestjs/common';
import { ScanError, ScanErrorCode } from '@vulnscan/contracts';
import { SERVICE_ENV } from '@vulnscan/service-runtime';
import { ManifestBudget, ManifestLimits } from '@vulnscan/registry';
import { BlobDownloader } from '../blobs/blob-downloader.service';
import { isUpstreamOutage, notCached, upstreamError } from '../distribution/oci-error';
import { BlobCacheEnv } from '../env';
import { CacheMetrics } from '../metrics';
import type { Upstream } from '../upstreams/upstream-config';
import { Upstreams } from '../upstreams/upstreams.service';
import { ContentRef, parseManifestDocument } from './manifest-document';
import { cacheManifestLimits } from './manifest-limits';
import { ManifestStore, PreparedManifest, StoredManifest } from './manifest-store';

export interface ManifestRequest {
  readonly upstream: Upstream;
  readonly repository: string;
  /** A tag or a digest. */
  readonly reference: string;
  readonly byDigest: boolean;
  /** `Cache-Control: only-if-cached`: never ask upstream. */
  readonly onlyIfCached: boolean;
}

export interface ManifestAnswer {
  readonly manifest: StoredManifest;
  readonly source: 'cache' | 'upstream';
}

interface Fetched {
  readonly digest: string;
  readonly bytes: Buffer;
  readonly contentType?: string;
}

/** Child manifests of an index fetched at once. */
const CHILD_FETCHES = 4;

/**
 * One manifest request's walk through an index and its descendants. Everything it reads is
 * charged to one budget (MANIFEST_PULL_MAX_BYTES, MANIFEST_PULL_MAX_COUNT), each child digest is
 * read once however often it is listed, and the first refusal aborts the fetches still running.
 */
interface Pull {
  readonly upstream: Upstream;
  readonly repository: string;
  readonly budget: ManifestBudget;
  readonly signal: AbortSignal;
  readonly families: Map<string, Promise<PreparedManifest[]>>;
}

/**
 * Manifests through the cache. Digests are immutable: once held they are served without asking
 * upstream. Tags are served from the cache for CACHE_TAG_TTL_SECONDS, then revalidated; while
 * the upstream is unreachable or rate limiting, the last known digest is served anyway.
 */
@Injectable()
export class ManifestCache {
  private readonly logger = new Logger(ManifestCache.name);
  private readonly fetching = new Map<string, Promise<StoredManifest>>();
  private readonly requests = CacheMetrics.requests();
  private readonly limits: ManifestLimits;

  constructor(
    @Inject(SERVICE_ENV) private readonly env: BlobCacheEnv,
    private readonly upstreams: Upstreams,
    private readonly store: ManifestStore,
    private readonly downloader: BlobDownloader,
  ) {
    this.limits = cacheManifestLimits(env);
  }

  async get(request: ManifestRequest): Promise<ManifestAnswer> {
    const { upstream, repository, reference } = request;
    const what = `manifest ${reference} of ${upstream.name}/${repository}`;
    const held = request.byDigest
      ? await this.store.findManifest(upstream, repository, reference)
      : await this.store.findTag(upstream, repository, reference, this.env.CACHE_TAG_TTL_SECONDS);
    if (held && (request.byDigest || request.onlyIfCached || ('fresh' in held && held.fresh))) {
      this.requests.inc({ kind: 'manifest', result: 'hit' });
      return { manifest: held, source: 'cache' };
    }
    this.requests.inc({ kind: 'manifest', result: 'miss' });
    if (request.onlyIfCached) throw notCached('manifest', what);
    try {
      return { manifest: await this.fetchOnce(request), source: 'upstream' };
    } catch (error) {
      if (held && isUpstreamOutage(error)) {
        this.logger.warn({ upstream: upstream.name, repository, reference }, `serving a stale tag: ${(error as Error).message}`);
        return { manifest: held, source: 'cache' };
      }
      throw upstreamError(error, upstream, 'manifest', what);
    }
  }

  /** Concurrent requests for one reference share one upstream fetch. */
  private fetchOnce(request: ManifestRequest): Promise<StoredManifest> {
    const key = `${request.upstream.scope}\n${request.upstream.name}\n${request.repository}\n${request.reference}`;
    let pending = this.fetching.get(key);
    if (!pending) {
      pending = this.fetchAndStore(request).finally(() => this.fetching.delete(key));
      this.fetching.set(key, pending);
    }
    return pending;
  }

  private async fetchAndStore({ upstream, repository, reference, byDigest }: ManifestRequest): Promise<StoredManifest> {
    const controller = new AbortController();
    const pull: Pull = { upstream, repository, budget: new ManifestBudget(this.limits), signal: controller.signal, families: new Map() };
    try {
      const ref = this.upstreams.reference(upstream, repository);
      const fetched = await this.upstreams.clientFor(upstream).fetchManifest(ref, reference, { budget: pull.budget, signal: pull.signal });
      const prepared = uniqueByDigest(await this.prepare(pull, fetched, `manifest ${reference} of ${upstream.name}/${repository}`, 0));
      await this.store.save(upstream, repository, prepared, byDigest ? undefined : reference);
      this.downloader.wake();
      const top = prepared[prepared.length - 1]!;
      return { digest: top.digest, mediaType: top.document.mediaType, bytes: top.bytes };
    } finally {
      // After a refusal, sibling child fetches still in flight stop here.
      controller.abort();
    }
  }

  /** The manifest and, for an index, all its descendants (children first), each with the blobs it needs. */
  private async prepare(pull: Pull, fetched: Fetched, where: string, depth: number): Promise<PreparedManifest[]> {
    const document = parseManifestDocument(fetched.bytes, fetched.contentType, where, this.limits.maxIndexChildren);
    const own = { digest: fetched.digest, bytes: fetched.bytes, document };
    if (document.kind === 'image') return [{ ...own, blobs: document.blobs }];
    const maxDepth = this.env.INDEX_MAX_DEPTH;
    if (depth >= maxDepth) {
      throw new ScanError(
        ScanErrorCode.ManifestInvalid,
        `${where}: indexes are nested more than ${maxDepth} deep; INDEX_MAX_DEPTH is ${maxDepth}`,
      );
    }
    const children = await mapLimit(document.children, CHILD_FETCHES, (child) => this.child(pull, child, where, depth + 1));
    const blobs = new Map<string, ContentRef>();
    for (const family of children) for (const blob of family[family.length - 1]!.blobs) blobs.set(blob.digest, blob);
    return [...children.flat(), { ...own, blobs: [...blobs.values()] }];
  }

  /** A child manifest with its descendants, read once per pull however many indexes list it. */
  private child(pull: Pull, child: ContentRef, parent: string, depth: number): Promise<PreparedManifest[]> {
    let family = pull.families.get(child.digest);
    if (!family) {
      family = this.readChild(pull, child, parent, depth);
      pull.families.set(child.digest, family);
    }
    return family;
  }

  private async readChild(pull: Pull, child: ContentRef, parent: string, depth: number): Promise<PreparedManifest[]> {
    const { upstream, repository, budget, signal } = pull;
    const where = `manifest ${child.digest} listed in ${parent}`;
    const held = await this.store.findManifest(upstream, repository, child.digest);
    let fetched: Fetched;
    if (held) {
      // Held manifests are not read upstream, but this request keeps them in memory all the same.
      budget.open(where, held.bytes.length);
      fetched = { digest: held.digest, bytes: held.bytes, contentType: held.mediaType };
    } else {
      const ref = this.upstreams.reference(upstream, repository);
      fetched = await this.upstreams.clientFor(upstream).fetchManifest(ref, child.digest, { budget, signal, declaredSize: child.size });
    }
    if (fetched.bytes.length !== child.size) {
      throw new ScanError(ScanErrorCode.DigestMismatch, `${where} is ${fetched.bytes.length} bytes, but the index declares ${child.size}`);
    }
    return this.prepare(pull, fetched, where, depth);
  }
}

/** Each manifest once, where it first appears (its descendants come before it there). */
function uniqueByDigest(manifests: readonly PreparedManifest[]): PreparedManifest[] {
  const seen = new Set<string>();
  return manifests.filter((manifest) => !seen.has(manifest.digest) && seen.add(manifest.digest));
}

/** Runs `work` over `items`, `limit` at a time; after the first failure no further item is started. */
async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length && !failed) {
      const index = next++;
      try {
        results[index] = await work(items[index]!);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  });
  await Promise.all(lanes);
  return results;
}
