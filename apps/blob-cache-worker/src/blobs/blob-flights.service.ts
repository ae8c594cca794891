import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { CacheMetrics } from '../metrics';
import type { Upstream } from '../upstreams/upstream-config';
import { Upstreams } from '../upstreams/upstreams.service';
import { BlobFlight } from './blob-flight';
import { BLOB_STORE, BlobStore } from './blob-store';
import { BlobPlacement } from './blob-placement';

export interface BlobSource {
  readonly upstream: Upstream;
  readonly repository: string;
}

export interface KnownBlob {
  readonly digest: string;
  readonly size: number;
}

/**
 * Single flight per blob and source in this process: a client pull and the background downloader
 * asking one upstream for the same blob share one upstream request. Another source's upstream
 * downloads the blob on its own even when storage holds it already: that is how a source proves
 * it (its upstream delivers the full bytes, verified by digest and size). Across processes the
 * download lease keeps background work apart; a client pull on another replica may fetch the
 * blob once more, and placing it twice is harmless: same bytes, one placement event.
 */
@Injectable()
export class BlobFlights implements OnApplicationShutdown {
  private readonly flights = new Map<string, BlobFlight>();
  private readonly shutdown = new AbortController();
  private readonly inFlight = CacheMetrics.downloadsInFlight();
  private readonly finished = CacheMetrics.downloads();
  private readonly placedListeners: (() => void)[] = [];

  constructor(
    @Inject(BLOB_STORE) private readonly store: BlobStore,
    private readonly upstreams: Upstreams,
    private readonly placement: BlobPlacement,
  ) {}

  /** The download of `blob` from `source`'s upstream in progress, or a new one. */
  join(blob: KnownBlob, source: BlobSource): BlobFlight {
    const identity = { source: source.upstream.blobSource, digest: blob.digest, size: blob.size };
    const key = `${identity.source}\n${identity.digest}\n${identity.size}`;
    const running = this.flights.get(key);
    if (running) return running;
    const reference = this.upstreams.reference(source.upstream, source.repository);
    const client = this.upstreams.clientFor(source.upstream);
    const flight = new BlobFlight(blob.digest, blob.size, {
      store: this.store,
      signal: this.shutdown.signal,
      open: (signal) => client.openBlob(reference, blob, { signal }),
      place: async () => void (await this.placement.place(identity)),
    });
    this.flights.set(key, flight);
    this.inFlight.inc();
    void flight.done.then(
      () => this.settle(key, 'placed'),
      () => this.settle(key, 'failed'),
    );
    return flight;
  }

  /** Whether a download of this digest (from any source) is running in this process: eviction leaves it alone. */
  downloading(digest: string): boolean {
    for (const flight of this.flights.values()) if (flight.digest === digest) return true;
    return false;
  }

  /** Calls `listener` after each download placed its blob (eviction checks storage then). */
  onPlaced(listener: () => void): void {
    this.placedListeners.push(listener);
  }

  get active(): number {
    return this.flights.size;
  }

  onApplicationShutdown(): void {
    this.shutdown.abort(new Error('the blob cache is shutting down'));
  }

  private settle(key: string, outcome: 'placed' | 'failed'): void {
    this.flights.delete(key);
    this.inFlight.dec();
    this.finished.inc({ outcome });
    if (outcome === 'placed') for (const listener of this.placedListeners) listener();
  }
}
