import { Inject, Injectable } from '@nestjs/common';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PlatformDto, ResolvedImageDto } from '@vulnscan/contracts';
import { SERVICE_ENV } from '@vulnscan/platform';
import { parseImageReference, RegistryClient, RegistryHostPolicy } from '@vulnscan/registry';
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

/** Resolves an image in its registry and streams every layer through digest verification. */
@Injectable()
export class ImageFetcher {
  readonly client: RegistryClient;

  constructor(@Inject(SERVICE_ENV) env: WorkerEnv) {
    this.client = new RegistryClient({
      insecureRegistries: env.INSECURE_REGISTRIES,
      policy: new RegistryHostPolicy({ allowedHosts: env.REGISTRY_ALLOWED_HOSTS, insecureRegistries: env.INSECURE_REGISTRIES }),
      credentialsFor: async (host) => env.REGISTRY_CREDENTIALS[host],
      requestTimeoutMs: env.REGISTRY_TIMEOUT_MS,
      userAgent: 'vulnscan-scanner-worker',
    });
  }

  async fetch(image: string, platform: PlatformDto | undefined, hooks: FetchHooks): Promise<ResolvedImageDto> {
    const reference = parseImageReference(image);
    const resolved = await this.client.resolve(reference, { platform, signal: hooks.signal });
    await hooks.progress(0.1, 'resolved');
    const layers = resolved.layers;
    for (const [index, layer] of layers.entries()) {
      await hooks.checkpoint();
      const blob = await this.client.openBlob(reference, layer, { signal: hooks.signal });
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
}
