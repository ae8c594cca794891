import { Inject, Injectable, Logger } from '@nestjs/common';
import { ScanError, ScanErrorCode } from '@vulnscan/contracts';
import { SERVICE_ENV } from '@vulnscan/service-runtime';
import { BlobDownloader } from '../blobs/blob-downloader.service';
import { isUpstreamOutage, notCached, upstreamError } from '../distribution/oci-error';
import { BlobCacheEnv } from '../env';
import { CacheMetrics } from '../metrics';
import type { Upstream } from '../upstreams/upstream-config';
import { Upstreams } from '../upstreams/upstreams.service';
import { ContentRef, parseManifestDocument } from './manifest-document';
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

/** Indexes of indexes exist in the wild, deeper nesting does not. */
const MAX_INDEX_DEPTH = 2;
/** Child manifests of an index fetched at once. */
const CHILD_FETCHES = 4;

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

  constructor(
    @Inject(SERVICE_ENV) private readonly env: BlobCacheEnv,
    private readonly upstreams: Upstreams,
    private readonly store: ManifestStore,
    private readonly downloader: BlobDownloader,
  ) {}

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
    const ref = this.upstreams.reference(upstream, repository);
    const fetched = await this.upstreams.clientFor(upstream).fetchManifest(ref, reference);
    const prepared = await this.prepare(upstream, repository, fetched, `manifest ${reference} of ${upstream.name}/${repository}`, 0);
    await this.store.save(upstream, repository, prepared, byDigest ? undefined : reference);
    this.downloader.wake();
    const top = prepared[prepared.length - 1]!;
    return { digest: top.digest, mediaType: top.document.mediaType, bytes: top.bytes };
  }

  /** The manifest and, for an index, all its descendants (children first), each with the blobs it needs. */
  private async prepare(
    upstream: Upstream,
    repository: string,
    fetched: Fetched,
    where: string,
    depth: number,
  ): Promise<PreparedManifest[]> {
    const document = parseManifestDocument(fetched.bytes, fetched.contentType, where);
    const own = { digest: fetched.digest, bytes: fetched.bytes, document };
    if (document.kind === 'image') return [{ ...own, blobs: document.blobs }];
    if (depth >= MAX_INDEX_DEPTH) {
      throw new ScanError(ScanErrorCode.ManifestInvalid, `${where}: indexes nested more than ${MAX_INDEX_DEPTH} deep are not supported`);
    }
    const children = await mapLimit(document.children, CHILD_FETCHES, (child) => this.child(upstream, repository, child, where, depth + 1));
    const blobs = new Map<string, ContentRef>();
    for (const family of children) for (const blob of family[family.length - 1]!.blobs) blobs.set(blob.digest, blob);
    return [...children.flat(), { ...own, blobs: [...blobs.values()] }];
  }

  private async child(
    upstream: Upstream,
    repository: string,
    child: ContentRef,
    parent: string,
    depth: number,
  ): Promise<PreparedManifest[]> {
    const where = `manifest ${child.digest} listed in ${parent}`;
    const held = await this.store.findManifest(upstream, repository, child.digest);
    const fetched: Fetched = held
      ? { digest: held.digest, bytes: held.bytes, contentType: held.mediaType }
      : await this.upstreams.clientFor(upstream).fetchManifest(this.upstreams.reference(upstream, repository), child.digest);
    if (fetched.bytes.length !== child.size) {
      throw new ScanError(ScanErrorCode.DigestMismatch, `${where} is ${fetched.bytes.length} bytes, but the index declares ${child.size}`);
    }
    return this.prepare(upstream, repository, fetched, where, depth);
  }
}

async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  });
  await Promise.all(lanes);
  return results;
}
