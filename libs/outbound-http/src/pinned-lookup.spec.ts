import { createServer, get, Server } from 'node:http';
import type { LookupAddress } from 'node:dns';
import type { AddressInfo } from 'node:net';
import { ScanErrorCode } from '@vulnscan/contracts';
import { HostResolver, OutboundHostPolicy } from './outbound-host-policy';
import { hostWithPort, pinnedLookup } from './pinned-lookup';

/** A fixed DNS, so the tests name the addresses they reason about. */
const dns: Record<string, string[]> = {
  'loopback.example': ['127.0.0.1'],
  'metadata.example': ['169.254.169.254'],
  'mixed.example': ['127.0.0.1', '169.254.169.254'],
};
const resolver: HostResolver = async (host) => (dns[host] ?? []).map((address) => ({ address, family: 4 }));

type LookupAnswer = { error: NodeJS.ErrnoException | null; address: string | LookupAddress[]; family?: number };
const lookupOf = (lookup: ReturnType<typeof pinnedLookup>, options: { family?: number; all?: boolean }) =>
  new Promise<LookupAnswer>((resolve) =>
    lookup('whatever.example', options, ((error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) =>
      resolve({ error, address, family })) as never),
  );

describe('pinnedLookup', () => {
  const v4 = { address: '93.184.216.34', family: 4 as const };
  const v6 = { address: '2606:2800:220:1::', family: 6 as const };

  it('answers only with the checked addresses, whatever host is asked for', async () => {
    expect(await lookupOf(pinnedLookup([v4, v6]), {})).toEqual({ error: null, address: v4.address, family: 4 });
    expect(await lookupOf(pinnedLookup([v4, v6]), { family: 6 })).toEqual({ error: null, address: v6.address, family: 6 });
    expect(await lookupOf(pinnedLookup([v4, v6]), { all: true })).toEqual({ error: null, address: [v4, v6], family: undefined });
  });

  it('is ENOTFOUND for a family the checked set lacks (no fresh DNS answer)', async () => {
    const answer = await lookupOf(pinnedLookup([v4]), { family: 6 });
    expect(answer.error?.code).toBe('ENOTFOUND');
    expect(answer.error?.message).toBe('no allowed IPv6 address');
  });

  describe('with the host policy', () => {
    let server: Server;
    let port: number;
    beforeAll(async () => {
      server = createServer((_req, res) => res.end('pinned'));
      await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
      port = (server.address() as AddressInfo).port;
    });
    afterAll(() => server.close());

    it('refuses a host that resolves to a denied address before any connection', async () => {
      const policy = new OutboundHostPolicy({ allowedHosts: ['loopback.example', 'mixed.example'], insecureRegistries: [] }, resolver);
      await expect(policy.check(`metadata.example:${port}`)).rejects.toMatchObject({ code: ScanErrorCode.HostNotAllowed });
      // one denied address among allowed ones refuses the host: we could not tell which one DNS gives next
      await expect(policy.check(`mixed.example:${port}`)).rejects.toMatchObject({
        code: ScanErrorCode.HostNotAllowed,
        message: expect.stringContaining('169.254.169.254'),
      });
    });

    it('connects to the checked address, not to what the name resolves to elsewhere', async () => {
      const policy = new OutboundHostPolicy({ allowedHosts: ['loopback.example'], insecureRegistries: [] }, resolver);
      const url = new URL(`http://loopback.example:${port}/`);
      const addresses = await policy.check(hostWithPort(url));
      const body = await new Promise<string>((resolve, reject) => {
        get(url, { lookup: pinnedLookup(addresses), agent: false }, (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve(text));
        }).on('error', reject);
      });
      expect(body).toBe('pinned');
    });
  });
});

describe('hostWithPort', () => {
  it('makes default ports explicit for the policy', () => {
    expect(hostWithPort(new URL('https://a.example'))).toBe('a.example:443');
    expect(hostWithPort(new URL('http://a.example'))).toBe('a.example:80');
    expect(hostWithPort(new URL('http://a.example:8080/x'))).toBe('a.example:8080');
    expect(hostWithPort(new URL('http://[::1]:81/'))).toBe('[::1]:81');
  });
});
