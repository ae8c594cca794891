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
 * Single flight per blob in this process: a client pull and the background downloader asking for
 * the same blob share one upstream request. (Across processes the download lease keeps
 * background work apart; a client pull on another replica may fetch the blob once more, and
 * placing it twice is harmless: same bytes, one placement event.)
 */
@Injectable()
export class BlobFlights implements OnApplicationShutdown {
  private readonly flights = new Map<string, BlobFlight>();
  private readonly shutdown = new AbortController();
  private readonly inFlight = CacheMetrics.downloadsInFlight();
  private readonly finished = CacheMetrics.downloads();

  constructor(
    @Inject(BLOB_STORE) private readonly store: BlobStore,
    private readonly upstreams: Upstreams,
    private readonly placement: BlobPlacement,
  ) {}

  /**
   * The download of `blob` in progress, or a new one from `source`; undefined when the store
   * already holds the blob (the caller serves it from there).
   */
  async join(blob: KnownBlob, source: BlobSource): Promise<BlobFlight | undefined> {
    const running = this.flights.get(blob.digest);
    if (running) return running;
    if (await this.store.stat(blob.digest)) return undefined;
    // Another request may have started it while we looked at the store.
    const started = this.flights.get(blob.digest);
    if (started) return started;
    const reference = this.upstreams.reference(source.upstream, source.repository);
    const client = this.upstreams.clientFor(source.upstream);
    const flight = new BlobFlight(blob.digest, blob.size, {
      store: this.store,
      signal: this.shutdown.signal,
      open: (signal) => client.openBlob(reference, blob, { signal }),
      place: async () => void (await this.placement.place(blob.digest)),
    });
    this.flights.set(blob.digest, flight);
    this.inFlight.inc();
    void flight.done.then(
      () => this.settle(blob.digest, 'placed'),
      () => this.settle(blob.digest, 'failed'),
    );
    return flight;
  }

  get active(): number {
    return this.flights.size;
  }

  onApplicationShutdown(): void {
    this.shutdown.abort(new Error('the blob cache is shutting down'));
  }

  private settle(digest: string, outcome: 'placed' | 'failed'): void {
    this.flights.delete(digest);
    this.inFlight.dec();
    this.finished.inc({ outcome });
  }
}
