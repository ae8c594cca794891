import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Readable } from 'node:stream';
import { DataSource } from 'typeorm';
import { notCached, OciError, upstreamError } from '../distribution/oci-error';
import { parseRange } from '../distribution/range';
import { CacheMetrics } from '../metrics';
import type { Upstream } from '../upstreams/upstream-config';
import { BlobFlights } from './blob-flights.service';
import { BlobAccess } from './blob-access';
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
 * repository, cached for the requester's scope, names it with its size (anything else is 404
 * BLOB_UNKNOWN: the cache never fetches a blob of unknown size). It comes from storage only once
 * the scope's own upstream has proven it (delivered its full bytes, verified by digest and size):
 * a manifest naming a digest another scope stored gives no right to read it. Otherwise it streams
 * from this upstream's one download of it while it is being stored.
 */
@Injectable()
export class BlobCache {
  private readonly requests = CacheMetrics.requests();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(BLOB_STORE) private readonly store: BlobStore,
    private readonly flights: BlobFlights,
    private readonly access: BlobAccess,
  ) {}

  async get(request: BlobRequest): Promise<BlobAnswer> {
    const { upstream, repository, digest } = request;
    const what = `blob ${digest} of ${upstream.name}/${repository}`;
    const known = await this.lookup(request);
    const stored = known?.proven ? await this.store.stat(digest) : undefined;
    // A stored file of another size is not this blob (its manifest's size claim is wrong): fetched, it fails verification.
    const held = stored !== undefined && stored.size === known?.size;
    this.requests.inc({ kind: 'blob', result: held ? 'hit' : 'miss' });
    if (!known) {
      if (request.onlyIfCached) throw notCached('blob', what);
      throw new OciError(
        404,
        'BLOB_UNKNOWN',
        `${what} is not named by any manifest pulled through this cache; pull a manifest that names it first`,
      );
    }
    if (held) {
      await this.access.touch(digest);
      return this.fromStore(digest, known.size, request);
    }
    if (request.onlyIfCached) throw notCached('blob', what);
    if (request.headOnly) return { status: 200, size: known.size, source: 'upstream' };
    try {
      const flight = this.flights.join({ digest, size: known.size }, { upstream, repository });
      if (parseRange(request.range, known.size).kind !== 'whole') {
        // A range is only ever served from verified content, so it waits for the whole download.
        await flight.done;
        return this.fromStore(digest, known.size, request);
      }
      await flight.started;
      return { status: 200, size: known.size, open: () => this.access.track(digest, flight.reader()), source: 'upstream' };
    } catch (error) {
      throw upstreamError(error, upstream, 'blob', what);
    }
  }

  private fromStore(digest: string, size: number, request: BlobRequest): BlobAnswer {
    const range = parseRange(request.range, size);
    if (range.kind === 'unsatisfiable') return { status: 416, size, source: 'cache' };
    const open = () => this.access.track(digest, this.store.read(digest, range.kind === 'partial' ? range : undefined));
    const body = request.headOnly ? {} : { open };
    if (range.kind === 'partial') return { status: 206, size, range: { start: range.start, end: range.end }, source: 'cache', ...body };
    return { status: 200, size, source: 'cache', ...body };
  }

  /**
   * The blob's size when a manifest of this repository, cached for this scope, names it, and
   * whether the scope's upstream has proven it. (Of two sizes claimed for one digest, a proven
   * one first: the other cannot be the digest's content.)
   */
  private async lookup({ upstream, repository, digest }: BlobRequest): Promise<{ size: number; proven: boolean } | undefined> {
    const [row] = (await this.dataSource.query(
      `SELECT mb.size, b.placed_at IS NOT NULL AS proven
       FROM cache.cached_manifests m
       JOIN cache.manifest_blobs mb ON mb.manifest_id = m.id AND mb.digest = $1
       LEFT JOIN cache.cached_blobs b ON b.source = m.blob_source AND b.digest = mb.digest AND b.size = mb.size
       WHERE m.scope = $4 AND m.upstream = $2 AND m.repository = $3
       ORDER BY proven DESC, mb.size LIMIT 1`,
      [digest, upstream.name, repository, upstream.scope],
    )) as { size: string; proven: boolean }[];
    return row ? { size: Number(row.size), proven: row.proven } : undefined;
  }
}
