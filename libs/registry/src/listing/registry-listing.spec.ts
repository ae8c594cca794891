import http, { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ScanError, ScanErrorCode } from '@vulnscan/contracts';
import { OutboundHostPolicy } from '@vulnscan/outbound-http';
import { RegistryClient } from '../registry-client';

/**
 * What docker-registry never sends (absolute or foreign next links, broken JSON), played by small
 * local servers; listing.int-spec.ts runs everything else against a real registry.
 */
interface FakeServer {
  host: string;
  requests: { url: string; authorization?: string }[];
}

const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse, host: string) => void): Promise<FakeServer> {
  const fake: FakeServer = { host: '', requests: [] };
  const server = http.createServer((req, res) => {
    fake.requests.push({ url: req.url ?? '', authorization: req.headers.authorization });
    handler(req, res, fake.host);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  closers.push(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return fake;
}

const BASIC = `Basic ${Buffer.from('u:p').toString('base64')}`;

function clientFor(...hosts: string[]): RegistryClient {
  const policy = new OutboundHostPolicy({ allowedHosts: hosts, insecureRegistries: [] });
  const client = new RegistryClient({
    insecureRegistries: hosts,
    policy,
    requestTimeoutMs: 2000,
    credentialsFor: async () => ({ username: 'u', password: 'p' }),
  });
  closers.push(() => client.close());
  return client;
}

/** Basic auth first, then `pages[path]` as JSON with its Link header. */
function registry(pages: Record<string, { body: string; link?: (host: string) => string }>) {
  return (req: IncomingMessage, res: ServerResponse, host: string) => {
    if (req.headers.authorization !== BASIC) return void res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="fake"' }).end();
    const page = pages[req.url ?? ''];
    if (!page) return void res.writeHead(404).end();
    res.writeHead(200, { 'Content-Type': 'application/json', ...(page.link ? { Link: page.link(host) } : {}) }).end(page.body);
  };
}

async function scanError(promise: Promise<unknown>): Promise<ScanError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof ScanError)) throw new Error(`expected a ScanError, got ${String(error)}`);
  return error;
}

describe('RegistryClient listings (fake servers)', () => {
  it('follows an absolute next link on the registry’s own origin, with the credentials on every page', async () => {
    const fake = await serve(
      registry({
        '/v2/team/app/tags/list': {
          body: '{"name":"team/app","tags":["2","1"]}',
          link: (host) => `<http://${host}/v2/team/app/tags/list?last=2>; rel="next"`,
        },
        '/v2/team/app/tags/list?last=2': { body: '{"name":"team/app","tags":["3"]}' },
      }),
    );
    const listed = await clientFor(fake.host).listTags({ registry: fake.host, repository: 'team/app' });
    expect(listed).toEqual({ names: ['1', '2', '3'], truncated: false });
    expect(fake.requests).toEqual([
      { url: '/v2/team/app/tags/list' },
      { url: '/v2/team/app/tags/list', authorization: BASIC },
      { url: '/v2/team/app/tags/list?last=2', authorization: BASIC },
    ]);
  });

  it('refuses a next link to another origin without sending it anything', async () => {
    const elsewhere = await serve((_req, res) => res.end('{"repositories":["stolen"]}'));
    const fake = await serve(
      registry({
        '/v2/_catalog': { body: '{"repositories":["a"]}', link: () => `<http://${elsewhere.host}/v2/_catalog?last=a>; rel="next"` },
      }),
    );
    const error = await scanError(clientFor(fake.host, elsewhere.host).listRepositories(fake.host));
    expect(error.code).toBe(ScanErrorCode.HostNotAllowed);
    expect(error.message).toBe(
      `catalog of registry ${fake.host}: refusing the next page at http://${elsewhere.host}, ` +
        `a different origin than http://${fake.host} (Link: <http://${elsewhere.host}/v2/_catalog?last=a>)`,
    );
    expect(elsewhere.requests).toEqual([]);
  });

  it('answers a page that is not a tag list with an error naming repository and registry', async () => {
    const fake = await serve(registry({ '/v2/team/app/tags/list': { body: '<html>oops</html>' } }));
    const error = await scanError(clientFor(fake.host).listTags({ registry: fake.host, repository: 'team/app' }));
    expect(error.code).toBe(ScanErrorCode.Internal);
    expect(error.message).toMatch(
      new RegExp(
        `^tag list of repository team/app on registry ${fake.host.replace(/\./g, '\\.')}: the registry answered an invalid document: not JSON`,
      ),
    );
  });

  it('reads a Link header the registry repeats, and stops on the page without one', async () => {
    const fake = await serve((req, res) => {
      if (req.url === '/v2/_catalog') {
        res.setHeader('Link', ['</v2/_catalog?last=0>; rel="prev"', '</v2/_catalog?last=a>; rel="next"']);
        return void res.end('{"repositories":["a"]}');
      }
      res.end('{"repositories":["b"]}');
    });
    const client = new RegistryClient({
      insecureRegistries: [fake.host],
      policy: new OutboundHostPolicy({ allowedHosts: [fake.host], insecureRegistries: [] }),
    });
    closers.push(() => client.close());
    expect(await client.listRepositories(fake.host)).toEqual({ names: ['a', 'b'], truncated: false });
    expect(fake.requests.map((r) => r.url)).toEqual(['/v2/_catalog', '/v2/_catalog?last=a']);
  });
});
