import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { AnalysisPool, analyzerSetVersion, buildSbom, LayerLimitError, type LimitName, pickOs, type Sbom } from '@vulnscan/analysis';
import { ScanError, ScanErrorCode } from '@vulnscan/contracts';
import type { PlatformDto, ResolvedImageDto } from '@vulnscan/contracts';
import { SERVICE_ENV } from '@vulnscan/service-runtime';
import { parseImageReference } from '@vulnscan/image-reference';
import { RegistryClient } from '@vulnscan/registry';
import { TenantRegistryClients, manifestLimitsOf } from '../registry/tenant-registry-clients';
import { WorkerEnv } from '../env';
import { SbomStore } from './sbom-store.service';

/** The worker's settings that bound an analysis: numbers, safe to quote in an error. */
type LimitSetting = keyof Pick<
  WorkerEnv,
  | 'LAYER_MAX_BYTES'
  | 'LAYER_MAX_ENTRY_BYTES'
  | 'LAYER_MAX_ENTRIES'
  | 'IMAGE_MAX_ENTRIES'
  | 'IMAGE_MAX_PATH_BYTES'
  | 'IMAGE_MAX_SYMLINK_STEPS'
  | 'ANALYSIS_FILE_TIMEOUT_MS'
  | 'ANALYSIS_LAYER_TIMEOUT_MS'
  | 'ANALYSIS_MAX_HEAP_MB'
>;

const LIMIT_SETTINGS: Partial<Record<LimitName, LimitSetting>> = {
  maxLayerBytes: 'LAYER_MAX_BYTES',
  maxEntrySize: 'LAYER_MAX_ENTRY_BYTES',
  maxEntries: 'LAYER_MAX_ENTRIES',
  maxImageEntries: 'IMAGE_MAX_ENTRIES',
  maxImagePathBytes: 'IMAGE_MAX_PATH_BYTES',
  maxSymlinkSteps: 'IMAGE_MAX_SYMLINK_STEPS',
  fileTimeoutMs: 'ANALYSIS_FILE_TIMEOUT_MS',
  layerTimeoutMs: 'ANALYSIS_LAYER_TIMEOUT_MS',
  maxHeapMb: 'ANALYSIS_MAX_HEAP_MB',
};

export interface FetchHooks {
  signal: AbortSignal;
  /** Called between layers: throws to stop (the scan was canceled or superseded). */
  checkpoint(): Promise<void>;
  progress(fraction: number, stage: string): Promise<void>;
}

/**
 * Resolves an image in its registry (always, with the tenant's own credentials: knowing a digest
 * grants nothing) and makes sure its SBOM exists: layers are streamed, verified and analyzed only
 * when no SBOM of that manifest digest and analyzer version is stored yet. Each tenant gets its
 * own registry client, so tokens obtained with one tenant's credentials never serve another.
 */
@Injectable()
export class ImageScanner implements OnApplicationShutdown {
  /** Cache readers per tenant (one shared one without CACHE_INTERNAL_TOKEN: they present nothing). */
  private readonly cacheClients = new Map<string, RegistryClient>();
  /** Layers are walked and parsed in threads of their own, under the worker's analysis budgets. */
  private readonly analysis: AnalysisPool;
  readonly analyzerVersion = analyzerSetVersion();

  constructor(
    @Inject(SERVICE_ENV) private readonly env: WorkerEnv,
    private readonly clients: TenantRegistryClients,
    private readonly sboms: SbomStore,
  ) {
    this.analysis = new AnalysisPool({
      threads: env.SCAN_CONCURRENCY,
      fileTimeoutMs: env.ANALYSIS_FILE_TIMEOUT_MS,
      layerTimeoutMs: env.ANALYSIS_LAYER_TIMEOUT_MS,
      maxHeapMb: env.ANALYSIS_MAX_HEAP_MB,
    });
  }

  async onApplicationShutdown(): Promise<void> {
    for (const client of this.cacheClients.values()) client.close();
    await this.analysis.close();
  }

  /**
   * `viaCache`: the image is read from the blob cache only (a scan the cache asked for); what the
   * cache does not hold yet fails the scan with `layers_unavailable`.
   */
  async fetch(
    tenantId: string,
    image: string,
    platform: PlatformDto | undefined,
    hooks: FetchHooks,
    options: { viaCache?: boolean } = {},
  ): Promise<ResolvedImageDto> {
    const reference = parseImageReference(image);
    const client = options.viaCache ? this.cache(tenantId) : this.clients.for(tenantId);
    const resolved = await client.resolve(reference, { platform, signal: hooks.signal });
    await hooks.progress(0.1, 'resolved');
    await hooks.checkpoint();
    await this.sboms.once(resolved.manifestDigest, this.analyzerVersion, async () => {
      const layers = resolved.layers.map((layer) => ({
        digest: layer.digest,
        mediaType: layer.mediaType,
        open: () => client.openBlob(reference, layer, { signal: hooks.signal }),
      }));
      const analysis = await this.analysis
        .analyze(layers, {
          signal: hooks.signal,
          limits: {
            maxLayerBytes: this.env.LAYER_MAX_BYTES,
            maxEntrySize: this.env.LAYER_MAX_ENTRY_BYTES,
            maxEntries: this.env.LAYER_MAX_ENTRIES,
            maxImageEntries: this.env.IMAGE_MAX_ENTRIES,
            maxImagePathBytes: this.env.IMAGE_MAX_PATH_BYTES,
            maxSymlinkSteps: this.env.IMAGE_MAX_SYMLINK_STEPS,
          },
          onLayer: async (index, total) => {
            await hooks.progress(0.1 + (0.85 * (index + 1)) / total, `layer ${index + 1}/${total}`);
            if (index + 1 < total) await hooks.checkpoint();
          },
        })
        .catch((err: unknown) => {
          throw this.withSettingName(err);
        });
      return buildSbom({
        image: {
          reference: image,
          manifestDigest: resolved.manifestDigest,
          mediaType: resolved.mediaType,
          platform: resolved.platform,
          layers: resolved.layers.map(({ digest, size, mediaType }) => ({ digest, size, mediaType })),
        },
        os: pickOs(analysis.osCandidates),
        packages: analysis.packages,
        analyzer: { name: 'vulnscan', version: this.analyzerVersion },
        warnings: analysis.warnings,
      });
    });
    return {
      manifestDigest: resolved.manifestDigest,
      mediaType: resolved.mediaType,
      platform: resolved.platform,
      layers: resolved.layers.map(({ digest, size, mediaType }) => ({ digest, size, mediaType })),
    };
  }

  /** A limit or budget error names the worker setting to raise, not the library's option. */
  private withSettingName(err: unknown): unknown {
    if (!(err instanceof LayerLimitError)) return err;
    const setting = LIMIT_SETTINGS[err.limit];
    if (!setting) return err;
    return new ScanError(err.code, `${err.subject} exceeds ${setting} (${this.env[setting]})`);
  }

  /**
   * A rematch: the image as its stored SBOM describes it, without any registry request. The
   * scheduler only asks for one on behalf of a tenant whose own scan fetched this manifest.
   */
  async stored(manifestDigest: string): Promise<{ result: ResolvedImageDto; sbom: Sbom }> {
    const sbom = await this.sboms.latest(manifestDigest);
    if (!sbom)
      throw new ScanError(ScanErrorCode.NotFound, `No SBOM of ${manifestDigest} is stored; a rematch needs one (scan the image instead).`);
    const { image } = sbom;
    return {
      result: {
        manifestDigest: image.manifestDigest,
        mediaType: image.mediaType,
        platform: image.platform,
        layers: image.layers.map(({ digest, size, mediaType }) => ({ digest, size, mediaType })),
      },
      sbom,
    };
  }

  private cache(tenantId: string): RegistryClient {
    const token = this.env.CACHE_INTERNAL_TOKEN;
    const key = token ? tenantId : '';
    let client = this.cacheClients.get(key);
    if (!client) {
      // The cache resolves `?ns=` to the tenant's own upstream first; the token reads only-if-cached.
      const authorization = token ? `Basic ${Buffer.from(`${tenantId}:${token}`).toString('base64')}` : undefined;
      client = new RegistryClient({
        insecureRegistries: [],
        mirror: { endpoint: this.env.CACHE_URL, onlyIfCached: true, ...(authorization ? { authorization } : {}) },
        requestTimeoutMs: this.env.REGISTRY_TIMEOUT_MS,
        userAgent: 'vulnscan-scanner-worker',
        manifestLimits: manifestLimitsOf(this.env),
      });
      this.cacheClients.set(key, client);
    }
    return client;
  }
}
