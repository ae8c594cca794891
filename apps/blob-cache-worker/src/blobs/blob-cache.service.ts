import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Readable } from 'node:stream';
import { DataSource } from 'typeorm';
import { notCached, OciError, upstreamError } from '../distribution/oci-error';
import { parseRange } from '../distribution/range';
import { CacheMetrics } from '../metrics';
import type { Upstream } from '../upstreams/upstream-config';
import { BlobFlights } from './blob-flights.service';
import { BlobPlacement } from './blob-placement';
import { BLOB_STORE, BlobStore, ByteRange } from './blob-store';

export interface BlobRequest {
  readonly upstream: Upstream;
  readonly repository: string;
  readonly digest: string;
  readonly onlyIfCached: boolean;
  /** HEAD: the size is enough, no download starts. */
  readonly headOnly: boolean;
  readonly range?: string;
}

export interface BlobAnswer {
  readonly status: 200 | 206 | 416;
  readonly size: number;
  readonly range?: ByteRange;
  /** The body; absent for HEAD and 416. */
  readonly open?: () => Readable;
  readonly source: 'cache' | 'upstream';
}

/**
 * Blobs through the cache. A blob is served for a repository only when a manifest of that
 * repository cached here names it (anything else is 404 BLOB_UNKNOWN: the cache never fetches a
 * blob of unknown size). Placed blobs come from storage; others stream from the one upstream
 * download of that blob while it is being stored.
 */
@Injectable()
export class BlobCache {
  private readonly logger = new Logger(BlobCache.name);
  private readonly requests = CacheMetrics.requests();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(BLOB_STORE) private readonly store: BlobStore,
    private readonly flights: BlobFlights,
    private readonly placement: BlobPlacement,
  ) {}

  async get(request: BlobRequest): Promise<BlobAnswer> {
    const { upstream, repository, digest } = request;
    const what = `blob ${digest} of ${upstream.name}/${repository}`;
    const known = await this.lookup(request);
    const stored = known ? await this.store.stat(digest) : undefined;
    this.requests.inc({ kind: 'blob', result: stored ? 'hit' : 'miss' });
    if (!known) {
      if (request.onlyIfCached) throw notCached('blob', what);
      throw new OciError(
        404,
        'BLOB_UNKNOWN',
        `${what} is not named by any manifest pulled through this cache; pull a manifest that names it first`,
      );
    }
    if (stored) {
      if (!known.placed) this.recordPlacement(digest);
      return this.fromStore(digest, stored.size, request);
    }
    if (request.onlyIfCached) throw notCached('blob', what);
    if (request.headOnly) return { status: 200, size: known.size, source: 'upstream' };
    try {
      const flight = await this.flights.join({ digest, size: known.size }, { upstream, repository });
      if (!flight) return this.fromStore(digest, known.size, request);
      if (parseRange(request.range, known.size).kind !== 'whole') {
        // A range is only ever served from verified content, so it waits for the whole download.
        await flight.done;
        return this.fromStore(digest, known.size, request);
      }
      await flight.started;
      return { status: 200, size: known.size, open: () => flight.reader(), source: 'upstream' };
    } catch (error) {
      throw upstreamError(error, upstream, 'blob', what);
    }
  }

  private fromStore(digest: string, size: number, request: BlobRequest): BlobAnswer {
    const range = parseRange(request.range, size);
    if (range.kind === 'unsatisfiable') return { status: 416, size, source: 'cache' };
    const body = request.headOnly ? {} : { open: () => this.store.read(digest, range.kind === 'partial' ? range : undefined) };
    if (range.kind === 'partial') return { status: 206, size, range: { start: range.start, end: range.end }, source: 'cache', ...body };
    return { status: 200, size, source: 'cache', ...body };
  }

  /** The blob's size when a manifest of this repository, cached through this upstream, names it. */
  private async lookup({ upstream, repository, digest }: BlobRequest): Promise<{ size: number; placed: boolean } | undefined> {
    const [row] = (await this.dataSource.query(
      `SELECT b.size, b.placed_at IS NOT NULL AS placed FROM cache.cached_blobs b
       WHERE b.digest = $1 AND EXISTS (
         SELECT 1 FROM cache.manifest_blobs mb JOIN cache.cached_manifests m ON m.id = mb.manifest_id
         WHERE mb.digest = b.digest AND m.scope = $4 AND m.upstream = $2 AND m.repository = $3)`,
      [digest, upstream.name, repository, upstream.scope],
    )) as { size: string; placed: boolean }[];
    return row ? { size: Number(row.size), placed: row.placed } : undefined;
  }

  /** In storage but not recorded (the process stopped between the two): record it now. */
  private recordPlacement(digest: string): void {
    this.placement
      .place(digest)
      .catch((error: unknown) => this.logger.warn({ err: error, digest }, 'could not record a stored blob as placed'));
  }
}
