import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { ScanError, ScanErrorCode } from '@vulnscan/contracts';
import { ALWAYS_DENIED, LISTED_ONLY, blockListOf, compileRanges, familyOf, findRange, parseCidr } from './address-ranges';
import { HostPort, hostEntryMatches, splitHostPort } from './host-port';

export interface OutboundHostPolicyOptions {
  /** `host`, `host:port`, IP addresses or CIDR ranges allowed to resolve to private or loopback addresses. */
  readonly allowedHosts: readonly string[];
  /** Plain-http registries; being listed there allows their private address too. */
  readonly insecureRegistries: readonly string[];
}

export interface ResolvedAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

export type HostResolver = (host: string) => Promise<ResolvedAddress[]>;

const resolveWithDns: HostResolver = async (host) =>
  (await lookup(host, { all: true, verbatim: true })).map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }));

const alwaysDenied = compileRanges(ALWAYS_DENIED);
const listedOnly = compileRanges(LISTED_ONLY);

/**
 * The outbound rule for every host we connect to on a user's behalf (registries, token realms,
 * redirect targets, cache upstreams, webhooks): image references and URLs are untrusted input, so
 * without it a request could make us fetch from cloud metadata or internal services (SSRF).
 * Link-local and metadata ranges are always refused; private and loopback ones only for listed hosts.
 */
export class OutboundHostPolicy {
  private readonly listedHosts: HostPort[] = [];
  private readonly listedRanges: BlockList;

  constructor(
    options: OutboundHostPolicyOptions,
    private readonly resolve: HostResolver = resolveWithDns,
  ) {
    const cidrs: string[] = [];
    for (const entry of [...options.allowedHosts, ...options.insecureRegistries]) {
      if (entry.includes('/')) {
        if (!parseCidr(entry)) throw new Error(`host policy entry "${entry}" is not a valid CIDR range`);
        cidrs.push(entry.trim());
        continue;
      }
      const hostPort = splitHostPort(entry);
      if (!hostPort) throw new Error(`host policy entry "${entry}" is not a host, host:port or CIDR range`);
      this.listedHosts.push(hostPort);
      // An IP entry such as 10.1.2.3 also admits names that resolve to it.
      if (hostPort.port === undefined && isIP(hostPort.host)) cidrs.push(hostPort.host);
    }
    this.listedRanges = blockListOf(cidrs);
  }

  /**
   * Resolves the host and returns its addresses when every one of them is allowed, so the caller can
   * connect to exactly these addresses (a second DNS answer could otherwise differ: DNS rebinding).
   */
  async check(hostWithPort: string): Promise<ResolvedAddress[]> {
    const target = splitHostPort(hostWithPort);
    if (!target) throw denied(`"${hostWithPort}" is not a valid host or host:port`);
    const hostListed = this.listedHosts.some((entry) => hostEntryMatches(entry, target));

    if (target.host === 'localhost' || target.host.endsWith('.localhost')) {
      if (!hostListed) throw denied(notListedMessage(hostWithPort, 'is a loopback name'));
    }

    let addresses: ResolvedAddress[];
    try {
      addresses = isIP(target.host) ? [{ address: target.host, family: isIP(target.host) as 4 | 6 }] : await this.resolve(target.host);
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new ScanError(ScanErrorCode.Unreachable, `cannot resolve host "${hostWithPort}" (${reason})`);
    }
    if (addresses.length === 0) throw new ScanError(ScanErrorCode.Unreachable, `host "${hostWithPort}" resolves to no address`);

    for (const { address } of addresses) {
      const forbidden = findRange(alwaysDenied, address);
      if (forbidden) {
        throw denied(
          `host "${hostWithPort}" resolves to ${address}, in the ${forbidden.label} range ${forbidden.cidr}, which is always denied`,
        );
      }
      const restricted = findRange(listedOnly, address);
      if (restricted && !hostListed && !this.listedRanges.check(address, familyOf(address) ?? 'ipv4')) {
        throw denied(notListedMessage(hostWithPort, `resolves to ${address}, in the ${restricted.label} range ${restricted.cidr}`));
      }
    }
    return addresses;
  }
}

function notListedMessage(hostWithPort: string, detail: string): string {
  return (
    `host "${hostWithPort}" ${detail}; ` +
    'private and loopback addresses are allowed only for hosts listed in allowedHosts or insecureRegistries'
  );
}

function denied(message: string): ScanError {
  return new ScanError(ScanErrorCode.HostNotAllowed, message);
}
