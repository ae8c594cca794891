import type { OutboundHostPolicy } from '@vulnscan/outbound-http';
import type { ImageReference } from '@vulnscan/image-reference';
import type { ManifestBudget, ManifestLimits } from './manifest/manifest-budget';

export interface Platform {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
}

export interface Descriptor {
  readonly digest: string;
  readonly size: number;
}

export interface LayerDescriptor extends Descriptor {
  readonly mediaType: string;
}

export interface ResolvedImage {
  /** The reference as asked for (normalized). */
  readonly reference: ImageReference;
  /** Digest of the image manifest (the platform's child when the reference named an index). */
  readonly manifestDigest: string;
  readonly mediaType: string;
  /** Set when the reference named an image index / manifest list. */
  readonly indexDigest?: string;
  readonly platform: Platform;
  readonly configDigest: string;
  readonly layers: readonly LayerDescriptor[];
}

export interface RegistryCredentials {
  readonly username: string;
  readonly password: string;
}

export interface BreakerOptions {
  readonly errorThresholdPercentage: number;
  readonly resetTimeoutMs: number;
  readonly volumeThreshold: number;
}

export interface RegistryClientOptions {
  /** `host` or `host:port` entries reached over plain http instead of https. */
  readonly insecureRegistries: readonly string[];
  /** Outbound policy; every host we connect to (registry, token realm, redirect target) is checked. */
  readonly policy?: OutboundHostPolicy;
  readonly credentialsFor?: (registryHost: string) => Promise<RegistryCredentials | undefined>;
  readonly requestTimeoutMs?: number;
  readonly userAgent?: string;
  readonly breaker?: BreakerOptions;
  /** Read everything through this mirror instead of the registry itself (see {@link RegistryMirror}). */
  readonly mirror?: RegistryMirror;
  /** Limits on the manifests one pull reads; each absent one keeps its default ({@link DEFAULT_MANIFEST_LIMITS}). */
  readonly manifestLimits?: Partial<ManifestLimits>;
}

/**
 * A registry mirror such as our own pull-through cache: requests go to
 * `<endpoint>/v2/<repository>/…?ns=<registry>`, the way containerd's `hosts.toml` mirrors ask.
 * The endpoint is operator configuration, so it is not checked against the outbound policy, and
 * the registry's credentials are never sent to it.
 */
export interface RegistryMirror {
  /** e.g. `http://blob-cache-worker:5001` */
  readonly endpoint: string;
  /**
   * Ask for cached content only (`Cache-Control: only-if-cached`): the mirror answers 504 for
   * anything it does not hold yet, and that fails with `layers_unavailable` instead of making the
   * mirror pull from upstream.
   */
  readonly onlyIfCached?: boolean;
  /**
   * `Authorization` value sent to the mirror itself (e.g. the platform's internal token for our
   * cache); never sent anywhere a mirror answer redirects to.
   */
  readonly authorization?: string;
}

export interface ResolveOptions {
  readonly platform?: Platform;
  readonly signal?: AbortSignal;
}

export interface FetchManifestOptions {
  /** The digest the bytes must have; the reference itself when it is a digest. */
  readonly expectedDigest?: string;
  readonly signal?: AbortSignal;
  /** The pull this manifest belongs to (see {@link RegistryClient.manifestBudget}); a budget of its own when absent. */
  readonly budget?: ManifestBudget;
  /** The size an index's descriptor declares: a manifest that cannot fit is refused before it is requested. */
  readonly declaredSize?: number;
}

export interface FetchedManifest {
  /** The digest of `bytes` (checked against the reference or Docker-Content-Digest). */
  readonly digest: string;
  readonly bytes: Buffer;
  readonly contentType?: string;
}

export interface OpenBlobOptions {
  readonly signal?: AbortSignal;
  /** Extra request headers, e.g. `Cache-Control: only-if-cached` towards our own cache. */
  readonly headers?: Readonly<Record<string, string>>;
}
