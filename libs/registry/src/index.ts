export { RegistryClient } from './registry-client';
export { DEFAULT_MAX_PAGES } from './listing/paged-names';
export type { ListOptions, NameList } from './listing/paged-names';
export type { RepositoryName } from './listing/registry-listing';
export { parseWwwAuthenticate } from './http/www-authenticate';
export type { AuthChallenge } from './http/www-authenticate';
export { DEFAULT_PLATFORM, formatPlatform, normalizePlatform } from './manifest/platform';
export { MediaType } from './manifest/media-types';
export { DEFAULT_MANIFEST_LIMITS, ManifestBudget, ManifestSetting, refuseIndexFanOut } from './manifest/manifest-budget';
export type { ManifestLimits } from './manifest/manifest-budget';
export { parseDescriptor, parseJsonObject } from './manifest/manifest-parser';
export type {
  BreakerOptions,
  Descriptor,
  FetchedManifest,
  FetchManifestOptions,
  LayerDescriptor,
  OpenBlobOptions,
  Platform,
  RegistryClientOptions,
  RegistryCredentials,
  RegistryMirror,
  ResolveOptions,
  ResolvedImage,
} from './types';
