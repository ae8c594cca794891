import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { hashSync } from 'bcryptjs';
import { freePort } from '../free-port';
import { Service, startService } from '../processes';

export interface TestUser {
  readonly username: string;
  readonly password: string;
}

/** What the registry needs to trust a token server (see startTokenServer). */
export interface TokenServerTrust {
  readonly realm: string;
  readonly service: string;
  readonly issuer: string;
  readonly certPath: string;
}

export interface StartRegistryOptions {
  readonly auth?: 'none' | 'basic' | 'token';
  /** htpasswd users for `basic`. */
  readonly users?: readonly TestUser[];
  /** Required for `token`. */
  readonly tokenServer?: TokenServerTrust;
  /** Run as docker-registry's own pull-through cache of this registry URL (`proxy: remoteurl`). */
  readonly proxyOf?: string;
}

export interface TestRegistry {
  /** `127.0.0.1:<port>`, the registry part of image references. */
  readonly host: string;
  readonly url: string;
  /** Root of the filesystem storage driver (blobs live under docker/registry/v2). */
  readonly storageDir: string;
  /** The registry process, e.g. to read its CPU time. */
  readonly pid: number;
  stop(): Promise<void>;
}

/** Debian names distribution's binary docker-registry; upstream calls it registry. */
const REGISTRY_BIN = process.env['REGISTRY_BIN'] ?? 'docker-registry';
const START_ATTEMPTS = 3;
const READY_TIMEOUT_MS = 15_000;

/** Starts distribution (registry v2) on loopback with its own config and throwaway storage. */
export async function startRegistry(options: StartRegistryOptions = {}): Promise<TestRegistry> {
  const dir = await mkdtemp(path.join(tmpdir(), 'vulnscan-registry-'));
  const storageDir = path.join(dir, 'storage');
  try {
    const authConfig = await writeAuth(dir, options);
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const configPath = path.join(dir, 'config.yml');
      const proxyConfig = options.proxyOf ? `proxy:\n  remoteurl: ${options.proxyOf}\n` : '';
      await writeFile(configPath, registryConfig(port, storageDir, authConfig + proxyConfig));
      const service = startService(REGISTRY_BIN, ['serve', configPath]);
      const url = `http://127.0.0.1:${port}`;
      try {
        await waitUntilReady(url, service);
      } catch (error) {
        await service.stop();
        // Another process may have taken the port between freePort() and the registry's bind.
        if (attempt < START_ATTEMPTS && service.output().includes('address already in use')) continue;
        throw error;
      }
      let stopped = false;
      return {
        host: `127.0.0.1:${port}`,
        url,
        storageDir,
        pid: service.child.pid!,
        async stop() {
          if (stopped) return;
          stopped = true;
          await service.stop();
          await rm(dir, { recursive: true, force: true });
        },
      };
    }
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

async function writeAuth(dir: string, options: StartRegistryOptions): Promise<string> {
  switch (options.auth ?? 'none') {
    case 'none':
      return '';
    case 'basic': {
      if (!options.users?.length) throw new Error('startRegistry: basic auth needs at least one user');
      const htpasswd = path.join(dir, 'htpasswd');
      // distribution accepts only bcrypt entries.
      await writeFile(htpasswd, options.users.map((u) => `${u.username}:${hashSync(u.password, 10)}`).join('\n') + '\n');
      return `auth:\n  htpasswd:\n    realm: vulnscan-test\n    path: ${htpasswd}\n`;
    }
    case 'token': {
      const trust = options.tokenServer;
      if (!trust) throw new Error('startRegistry: token auth needs a tokenServer');
      return (
        'auth:\n  token:\n' +
        `    realm: ${trust.realm}\n    service: ${trust.service}\n    issuer: ${trust.issuer}\n    rootcertbundle: ${trust.certPath}\n`
      );
    }
  }
}

function registryConfig(port: number, storageDir: string, auth: string): string {
  return [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${storageDir}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    // A fixed secret avoids distribution's warning about generating one per start.
    '  secret: vulnscan-test-registry',
    auth,
  ].join('\n');
}

async function waitUntilReady(url: string, service: Service): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let exited = false;
  void service.exited.then(() => (exited = true));
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${REGISTRY_BIN} exited before it was ready:\n${service.output()}`);
    const status = await statusOf(`${url}/v2/`);
    if (status === 200 || status === 401) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${REGISTRY_BIN} did not answer on ${url}/v2/ within ${READY_TIMEOUT_MS} ms:\n${service.output()}`);
}

function statusOf(url: string): Promise<number | undefined> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
}
