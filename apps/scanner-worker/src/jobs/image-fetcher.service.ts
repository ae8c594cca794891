import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PlatformDto, ResolvedImageDto } from '@vulnscan/contracts';
import { SERVICE_ENV } from '@vulnscan/platform';
import { parseImageReference, RegistryClient, RegistryHostPolicy } from '@vulnscan/registry';
import { RegistryCredentials } from '../credentials/registry-credentials.service';
import { WorkerEnv } from '../env';

export interface FetchHooks {
  signal: AbortSignal;
  /** Called between layers: throws to stop (the scan was canceled or superseded). */
  checkpoint(): Promise<void>;
  progress(fraction: number, stage: string): Promise<void>;
}

/** Counts bytes and drops them: layers are verified now, analyzed once the analysis lib lands. */
class DiscardSink extends Writable {
  bytes = 0;

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.bytes += chunk.length;
    callback();
  }
}

/**
 * Resolves an image in its registry and streams every layer through digest verification.
 * Each tenant gets its own client, so registry tokens obtained with one tenant's credentials are
 * never reused for another's.
 */
@Injectable()
export class ImageFetcher implements OnApplicationShutdown {
  private readonly clients = new Map<string, RegistryClient>();
  private readonly policy: RegistryHostPolicy;

  constructor(
    @Inject(SERVICE_ENV) private readonly env: WorkerEnv,
    private readonly credentials: RegistryCredentials,
  ) {
    this.policy = new RegistryHostPolicy({ allowedHosts: env.REGISTRY_ALLOWED_HOSTS, insecureRegistries: env.INSECURE_REGISTRIES });
  }

  onApplicationShutdown(): void {
    for (const client of this.clients.values()) client.close();
  }

  async fetch(tenantId: string, image: string, platform: PlatformDto | undefined, hooks: FetchHooks): Promise<ResolvedImageDto> {
    const reference = parseImageReference(image);
    const client = this.clientFor(tenantId);
    const resolved = await client.resolve(reference, { platform, signal: hooks.signal });
    await hooks.progress(0.1, 'resolved');
    const layers = resolved.layers;
    for (const [index, layer] of layers.entries()) {
      await hooks.checkpoint();
      const blob = await client.openBlob(reference, layer, { signal: hooks.signal });
      await pipeline(blob, new DiscardSink(), { signal: hooks.signal });
      await hooks.progress(0.1 + (0.85 * (index + 1)) / layers.length, `layer ${index + 1}/${layers.length}`);
    }
    return {
      manifestDigest: resolved.manifestDigest,
      mediaType: resolved.mediaType,
      platform: resolved.platform,
      layers: resolved.layers.map(({ digest, size, mediaType }) => ({ digest, size, mediaType })),
    };
  }

  private clientFor(tenantId: string): RegistryClient {
    let client = this.clients.get(tenantId);
    if (!client) {
      client = new RegistryClient({
        insecureRegistries: this.env.INSECURE_REGISTRIES,
        policy: this.policy,
        credentialsFor: (host) => this.credentials.lookup(tenantId, host),
        requestTimeoutMs: this.env.REGISTRY_TIMEOUT_MS,
        userAgent: 'vulnscan-scanner-worker',
      });
      this.clients.set(tenantId, client);
    }
    return client;
  }
}
