import { createHash } from 'node:crypto';
import http, { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ScanError, ScanErrorCode } from '@vulnscan/contracts';
import { RegistryClient } from './registry-client';
import type { RegistryClientOptions } from './types';
import { OutboundHostPolicy } from '@vulnscan/outbound-http';
import { parseImageReference } from '@vulnscan/image-reference';

/**
 * Behaviour a real docker-registry will not show on demand (redirects to storage, 429, stalls,
 * broken transfers), played by small local HTTP servers. The integration spec covers the rest.
 */
interface FakeServer {
  host: string;
  seen: IncomingHttpHeaders[];
  close(): Promise<void>;
}

const servers: FakeServer[] = [];
const clients: RegistryClient[] = [];
afterEach(async () => {
  clients.splice(0).forEach((c) => c.close());
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<FakeServer> {
  const seen: IncomingHttpHeaders[] = [];
  const server = http.createServer((req, res) => {
    seen.push(req.headers);
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const fake = {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  servers.push(fake);
  return fake;
}

function clientFor(...hosts: string[]): RegistryClient {
  return clientWith({}, ...hosts);
}

function clientWith(options: Pick<RegistryClientOptions, 'manifestLimits'>, ...hosts: string[]): RegistryClient {
  const policy = new OutboundHostPolicy({ allowedHosts: hosts, insecureRegistries: [] });
  const credentialsFor = async () => ({ username: 'u', password: 'p' });
  const client = new RegistryClient({ insecureRegistries: hosts, policy, requestTimeoutMs: 300, credentialsFor, ...options });
  clients.push(client);
  return client;
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error,
  );
}

const content = Buffer.from('layer bytes that live in object storage');
const blob = { digest: `sha256:${createHash('sha256').update(content).digest('hex')}`, size: content.length };

describe('RegistryClient (fake servers)', () => {
  it('follows a blob redirect to another host without sending it the registry credentials', async () => {
    const storage = await serve((_req, res) => res.end(content));
    const registry = await serve((req, res) => {
      if (!req.headers.authorization) res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="fake"' }).end();
      else res.writeHead(307, { Location: `http://${storage.host}/bucket/data?signature=abc` }).end();
    });
    const stream = await clientFor(registry.host, storage.host).openBlob(parseImageReference(`${registry.host}/app:1`), blob);
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);

    expect(Buffer.concat(chunks)).toEqual(content);
    expect(registry.seen.map((h) => h.authorization)).toEqual([undefined, `Basic ${Buffer.from('u:p').toString('base64')}`]);
    expect(storage.seen.map((h) => h.authorization)).toEqual([undefined]);
  });

  it('refuses a redirect into a denied address range', async () => {
    const registry = await serve((_req, res) => res.writeHead(302, { Location: 'http://169.254.169.254/latest/meta-data' }).end());
    const error = await failure(clientFor(registry.host).openBlob(parseImageReference(`${registry.host}/app:1`), blob));
    expect(error).toMatchObject({ code: ScanErrorCode.HostNotAllowed });
  });

  it('maps 429 and 503 with Retry-After', async () => {
    const registry = await serve((req, res) => {
      if (req.url?.includes('limited')) res.writeHead(429, { 'Retry-After': '17' }).end('{"errors":[{"code":"TOOMANYREQUESTS"}]}');
      else res.writeHead(503, { 'Retry-After': new Date(Date.now() + 120_000).toUTCString() }).end();
    });
    const client = clientFor(registry.host);
    const limited = (await failure(client.resolve(parseImageReference(`${registry.host}/limited:1`)))) as ScanError;
    expect(limited).toMatchObject({ code: ScanErrorCode.RateLimited, retryAfterSeconds: 17 });
    expect(limited.message).toContain(`registry ${registry.host} is rate limiting`);
    const unavailable = (await failure(client.resolve(parseImageReference(`${registry.host}/down:1`)))) as ScanError;
    expect(unavailable.code).toBe(ScanErrorCode.Unreachable);
    expect(unavailable.retryAfterSeconds).toBeGreaterThanOrEqual(118);
    expect(unavailable.retryAfterSeconds).toBeLessThanOrEqual(120);
  });

  it('times out a registry that never answers, as unreachable', async () => {
    const registry = await serve(() => undefined);
    const error = (await failure(clientFor(registry.host).resolve(parseImageReference(`${registry.host}/app:1`)))) as ScanError;
    expect(error.code).toBe(ScanErrorCode.Unreachable);
    expect(error.message).toMatch(/no answer within 300 ms$/);
  });

  it('passes a caller abort through untouched', async () => {
    const registry = await serve(() => undefined);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const error = await failure(
      clientFor(registry.host).resolve(parseImageReference(`${registry.host}/app:1`), { signal: controller.signal }),
    );
    expect(error).not.toBeInstanceOf(ScanError);
    expect((error as Error).name).toBe('AbortError');
  });

  it('rejects oversized and schema 1 manifests', async () => {
    const registry = await serve((req, res) => {
      if (req.url?.includes('huge')) {
        res.writeHead(200, { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json', 'Content-Length': String(5 * 1024 * 1024) });
        res.write('{');
      } else {
        res
          .writeHead(200, { 'Content-Type': 'application/vnd.docker.distribution.manifest.v1+prettyjws' })
          .end('{"schemaVersion":1,"name":"app"}');
      }
    });
    const client = clientFor(registry.host);
    expect(await failure(client.resolve(parseImageReference(`${registry.host}/huge:1`)))).toMatchObject({
      code: ScanErrorCode.ManifestInvalid,
      message: `manifest 1 of repository huge on registry ${registry.host} is 5242880 bytes; MANIFEST_MAX_BYTES is 4194304`,
    });
    expect(await failure(client.resolve(parseImageReference(`${registry.host}/old:1`)))).toMatchObject({
      code: ScanErrorCode.UnsupportedMediaType,
    });
  });

  it('stops reading a manifest without Content-Length within a chunk of MANIFEST_MAX_BYTES', async () => {
    let written = 0;
    let finished = false;
    const registry = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' });
      const chunk = Buffer.alloc(16 * 1024, ' ');
      const more = (): void => {
        while (written < 10 * 1024 * 1024) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', more);
        }
        finished = true;
        res.end();
      };
      more();
    });
    const client = clientWith({ manifestLimits: { maxBytes: 64 * 1024 } }, registry.host);
    expect(await failure(client.resolve(parseImageReference(`${registry.host}/streamed:1`)))).toMatchObject({
      code: ScanErrorCode.ManifestInvalid,
      message: `manifest 1 of repository streamed on registry ${registry.host} is more than 65536 bytes; MANIFEST_MAX_BYTES is 65536`,
    });
    expect(finished).toBe(false);
    expect(written).toBeLessThan(10 * 1024 * 1024);
  });

  describe('an index and its child in one pull', () => {
    const child = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: blob.digest, size: 10 },
        layers: [],
        annotations: { padding: 'x'.repeat(3000) },
      }),
    );
    const childDigest = `sha256:${createHash('sha256').update(child).digest('hex')}`;
    const index = (count: number, size = child.length) =>
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: Array.from({ length: count }, () => ({
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: childDigest,
          size,
          platform: { os: 'linux', architecture: 'amd64' },
        })),
      });

    async function registryServing(indexBody: string): Promise<FakeServer & { paths: string[] }> {
      const paths: string[] = [];
      const server = await serve((req, res) => {
        paths.push(req.url ?? '');
        if (req.url?.endsWith(`/manifests/${childDigest}`)) res.writeHead(200).end(child);
        else res.writeHead(200, { 'Content-Type': 'application/vnd.oci.image.index.v1+json' }).end(indexBody);
      });
      return Object.assign(server, { paths });
    }

    it('refuses an index of 10,000 children by INDEX_MAX_CHILDREN without fetching any child', async () => {
      const registry = await registryServing(index(10_000));
      const error = await failure(clientFor(registry.host).resolve(parseImageReference(`${registry.host}/fan:1`)));
      expect(error).toMatchObject({
        code: ScanErrorCode.ManifestInvalid,
        message: `manifest ${registry.host}/fan:1 lists 10000 manifests; INDEX_MAX_CHILDREN is 256`,
      });
      expect(registry.paths).toEqual(['/v2/fan/manifests/1']);
    });

    it('counts the index and the child against MANIFEST_PULL_MAX_BYTES', async () => {
      const indexBody = index(1);
      const registry = await registryServing(indexBody);
      const limits = { maxPullBytes: indexBody.length + child.length - 1 };
      const error = await failure(
        clientWith({ manifestLimits: limits }, registry.host).resolve(parseImageReference(`${registry.host}/app:1`)),
      );
      expect(error).toMatchObject({ code: ScanErrorCode.ManifestInvalid });
      expect((error as Error).message).toMatch(new RegExp(`^manifest ${childDigest} .*MANIFEST_PULL_MAX_BYTES is ${limits.maxPullBytes}$`));
      // The child's declared size already told: it was never requested.
      expect(registry.paths).toEqual(['/v2/app/manifests/1']);
    });

    it('refuses a child whose declared size is over MANIFEST_MAX_BYTES before requesting it', async () => {
      const registry = await registryServing(index(1, 10 * 1024 * 1024));
      const error = await failure(clientFor(registry.host).resolve(parseImageReference(`${registry.host}/app:1`)));
      expect((error as Error).message).toMatch(/is 10485760 bytes; MANIFEST_MAX_BYTES is 4194304$/);
      expect(registry.paths).toEqual(['/v2/app/manifests/1']);
    });
  });

  it('fails a blob stream that breaks off mid-transfer as unreachable, never as a clean end', async () => {
    const registry = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Length': String(content.length) });
      res.write(content.subarray(0, 10), () => res.socket?.destroy());
    });
    const stream = await clientFor(registry.host).openBlob(parseImageReference(`${registry.host}/app:1`), blob);
    let ended = false;
    stream.on('end', () => (ended = true));
    const error = await failure(
      (async () => {
        for await (const _chunk of stream) void _chunk;
      })(),
    );
    expect(error).toMatchObject({ code: ScanErrorCode.Unreachable });
    expect(ended).toBe(false);
  });
});
