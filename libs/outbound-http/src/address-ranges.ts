import { BlockList, isIP } from 'node:net';

export interface AddressRange {
  readonly cidr: string;
  readonly label: string;
}

/** Never reachable, whatever the configuration says: cloud metadata endpoints live here. */
export const ALWAYS_DENIED: readonly AddressRange[] = [
  { cidr: '169.254.0.0/16', label: 'link-local / cloud metadata' },
  { cidr: 'fe80::/10', label: 'IPv6 link-local' },
  { cidr: 'fd00:ec2::254/128', label: 'AWS IPv6 metadata endpoint' },
  { cidr: '0.0.0.0/8', label: '"this network"' },
  { cidr: '::/128', label: 'IPv6 unspecified' },
  // Nothing serves HTTP on these; denying them closes odd SSRF corners for free.
  { cidr: '224.0.0.0/4', label: 'multicast' },
  { cidr: '255.255.255.255/32', label: 'broadcast' },
  { cidr: 'ff00::/8', label: 'IPv6 multicast' },
];

/** Reachable only for hosts an operator listed explicitly. */
export const LISTED_ONLY: readonly AddressRange[] = [
  { cidr: '127.0.0.0/8', label: 'loopback' },
  { cidr: '::1/128', label: 'IPv6 loopback' },
  { cidr: '10.0.0.0/8', label: 'private' },
  { cidr: '172.16.0.0/12', label: 'private' },
  { cidr: '192.168.0.0/16', label: 'private' },
  { cidr: '100.64.0.0/10', label: 'carrier-grade NAT' },
  { cidr: 'fc00::/7', label: 'IPv6 unique local' },
];

export function familyOf(address: string): 'ipv4' | 'ipv6' | undefined {
  const version = isIP(address);
  return version === 4 ? 'ipv4' : version === 6 ? 'ipv6' : undefined;
}

/** Parses `a.b.c.d/nn`, `v6/nn` or a bare address (a single-address range); undefined when malformed. */
export function parseCidr(cidr: string): { network: string; prefix: number; family: 'ipv4' | 'ipv6' } | undefined {
  const [network, prefixText, extra] = cidr.trim().split('/');
  if (extra !== undefined || network === undefined) return undefined;
  const family = familyOf(network);
  if (!family) return undefined;
  const max = family === 'ipv4' ? 32 : 128;
  if (prefixText === undefined) return { network, prefix: max, family };
  if (!/^[0-9]{1,3}$/.test(prefixText) || Number(prefixText) > max) return undefined;
  return { network, prefix: Number(prefixText), family };
}

export function blockListOf(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const parsed = parseCidr(cidr);
    if (!parsed) throw new Error(`"${cidr}" is not an IP address or CIDR range`);
    list.addSubnet(parsed.network, parsed.prefix, parsed.family);
  }
  return list;
}

/** The first range of `ranges` that contains `address`. */
export function findRange(ranges: readonly { range: AddressRange; list: BlockList }[], address: string) {
  const family = familyOf(address);
  if (!family) return undefined;
  return ranges.find(({ list }) => list.check(address, family))?.range;
}

export function compileRanges(ranges: readonly AddressRange[]): { range: AddressRange; list: BlockList }[] {
  return ranges.map((range) => ({ range, list: blockListOf([range.cidr]) }));
}
