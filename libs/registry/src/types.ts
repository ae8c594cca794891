import type { RegistryHostPolicy } from './policy/registry-host-policy';
import type { ImageReference } from './reference/image-reference';

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
  readonly policy?: RegistryHostPolicy;
  readonly credentialsFor?: (registryHost: string) => Promise<RegistryCredentials | undefined>;
  readonly requestTimeoutMs?: number;
  readonly userAgent?: string;
  readonly breaker?: BreakerOptions;
}

export interface ResolveOptions {
  readonly platform?: Platform;
  readonly signal?: AbortSignal;
}

export interface OpenBlobOptions {
  readonly signal?: AbortSignal;
  /** Extra request headers, e.g. `Cache-Control: only-if-cached` towards our own cache. */
  readonly headers?: Readonly<Record<string, string>>;
}
