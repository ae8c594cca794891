import { ScanError, ScanErrorCode } from '@vulnscan/contracts';
import { HostResolver, OutboundHostPolicy } from './outbound-host-policy';

/** A fixed DNS so the tests name the addresses they reason about. */
const dns: Record<string, string[]> = {
  'registry.example.com': ['93.184.216.34'],
  'internal.corp': ['10.1.2.3'],
  'dual.corp': ['93.184.216.34', '10.9.9.9'],
  'metadata.evil': ['169.254.169.254'],
  'v6.internal': ['fd12::5'],
  localhost: ['127.0.0.1', '::1'],
};
const resolver: HostResolver = async (host) => {
  const addresses = dns[host];
  if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
  return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
};

function policy(allowedHosts: string[] = [], insecureRegistries: string[] = []): OutboundHostPolicy {
  return new OutboundHostPolicy({ allowedHosts, insecureRegistries }, resolver);
}

async function denial(p: OutboundHostPolicy, host: string): Promise<ScanError> {
  const error = await p.check(host).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ScanError);
  return error as ScanError;
}

describe('OutboundHostPolicy', () => {
  it('allows public hosts without configuration and returns their addresses', async () => {
    await expect(policy().check('registry.example.com')).resolves.toEqual([{ address: '93.184.216.34', family: 4 }]);
    await expect(policy().check('8.8.8.8:443')).resolves.toEqual([{ address: '8.8.8.8', family: 4 }]);
  });

  it.each([
    ['127.0.0.1:5000', 'loopback range 127.0.0.0/8'],
    ['[::1]:5000', 'IPv6 loopback range ::1/128'],
    ['internal.corp', 'private range 10.0.0.0/8'],
    ['172.20.0.1', 'private range 172.16.0.0/12'],
    ['192.168.1.10:5000', 'private range 192.168.0.0/16'],
    ['100.64.0.1', 'carrier-grade NAT range 100.64.0.0/10'],
    ['v6.internal', 'IPv6 unique local range fc00::/7'],
    ['dual.corp', 'private range 10.0.0.0/8'],
  ])('denies %s (%s) unless listed', async (host, rule) => {
    const error = await denial(policy(), host);
    expect(error.code).toBe(ScanErrorCode.HostNotAllowed);
    expect(error.message).toContain(`host "${host}"`);
    expect(error.message).toContain(rule);
  });

  it('denies the name localhost before resolving it', async () => {
    const error = await denial(policy(), 'localhost:5000');
    expect(error.message).toBe(
      'host "localhost:5000" is a loopback name; private and loopback addresses are allowed only for hosts listed in allowedHosts or insecureRegistries',
    );
    await expect(policy(['localhost']).check('localhost:5000')).resolves.toHaveLength(2);
  });

  it('allows private and loopback hosts listed by host, host:port or CIDR', async () => {
    await expect(policy(['127.0.0.1:5000']).check('127.0.0.1:5000')).resolves.toHaveLength(1);
    await expect(policy(['127.0.0.1']).check('127.0.0.1:6000')).resolves.toHaveLength(1);
    await expect(policy([], ['internal.corp']).check('internal.corp:5000')).resolves.toHaveLength(1);
    await expect(policy(['10.0.0.0/8']).check('internal.corp')).resolves.toHaveLength(1);
    await expect(policy(['10.1.2.3']).check('internal.corp')).resolves.toHaveLength(1);
    await expect(policy(['fd00::/8']).check('v6.internal')).resolves.toHaveLength(1);
    await expect(policy(['[::1]:5000']).check('[::1]:5000')).resolves.toHaveLength(1);
  });

  it('matches a host:port entry only on that port', async () => {
    const error = await denial(policy(['127.0.0.1:5000']), '127.0.0.1:5001');
    expect(error.code).toBe(ScanErrorCode.HostNotAllowed);
  });

  it.each(['169.254.169.254', 'metadata.evil', '[fe80::1]:80', '[fd00:ec2::254]', '0.0.0.0:5000', '[::ffff:169.254.169.254]'])(
    'always denies %s, even when listed',
    async (host) => {
      const error = await denial(policy([host, '169.254.0.0/16', 'fd00::/8']), host);
      expect(error.code).toBe(ScanErrorCode.HostNotAllowed);
      expect(error.message).toMatch(/which is always denied$/);
    },
  );

  it('names the metadata rule', async () => {
    const error = await denial(policy(), '169.254.169.254');
    expect(error.message).toBe(
      'host "169.254.169.254" resolves to 169.254.169.254, in the link-local / cloud metadata range 169.254.0.0/16, which is always denied',
    );
  });

  it('reports a DNS failure as unreachable', async () => {
    const error = await denial(policy(), 'nowhere.invalid');
    expect(error.code).toBe(ScanErrorCode.Unreachable);
    expect(error.message).toBe('cannot resolve host "nowhere.invalid" (ENOTFOUND)');
  });

  it('rejects malformed input and configuration', async () => {
    expect((await denial(policy(), 'host:notaport')).code).toBe(ScanErrorCode.HostNotAllowed);
    expect(() => policy(['10.0.0.0/99'])).toThrow('host policy entry "10.0.0.0/99" is not a valid CIDR range');
    expect(() => policy(['a:b:c'])).toThrow('host policy entry "a:b:c" is not a host, host:port or CIDR range');
  });
});
