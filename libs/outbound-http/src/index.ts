export { OutboundHostPolicy } from './outbound-host-policy';
export type { HostResolver, OutboundHostPolicyOptions, ResolvedAddress } from './outbound-host-policy';
export { hostEntryMatches, splitHostPort } from './host-port';
export type { HostPort } from './host-port';
export { hostWithPort, pinnedLookup } from './pinned-lookup';
export { parseRetryAfter } from './retry-after';
export { followRedirects } from './redirects';
export type { RedirectableResponse, RedirectRules } from './redirects';
