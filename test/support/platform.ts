import { ChildProcess, execFile, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { randomBytes, randomUUID } from 'node:crypto';
import { connect as amqpConnect } from 'amqplib';
import { freePort, workspaceRoot } from '@vulnscan/testing';
import { serviceRoleName } from '@vulnscan/persistence';

const execFileAsync = promisify(execFile);
export const ROOT = workspaceRoot();
/** 32 random bytes in hex: what the services accept as a key or token (a fixed or patterned one is refused). */
export const testSecret = (): string => randomBytes(32).toString('hex');
/** The operator key (BOOTSTRAP_API_KEY) of every test platform in this process. */
export const ADMIN_KEY = `vsk_${randomBytes(32).toString('base64url')}`;

export type ServiceName = 'gateway' | 'scan-scheduler' | 'scanner-worker' | 'blob-cache-worker' | 'security-status';

export async function waitFor<T>(
  probe: () => Promise<T | undefined | null | false>,
  { timeoutMs = 30000, intervalMs = 100, what = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
}

export class ServiceProcess {
  exited: Promise<number | null>;

  constructor(
    readonly name: ServiceName,
    readonly port: number,
    readonly child: ChildProcess,
    readonly logFile: string,
  ) {
    this.exited = new Promise((done) => child.once('exit', (code) => done(code)));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill(signal);
    await this.exited;
  }
}

/**
 * A whole platform for one test file: its own database and its own AMQP prefix, so test files
 * can run side by side on one Postgres and one RabbitMQ. Services run from `dist/` as real processes.
 */
export class TestPlatform {
  readonly id = randomBytes(4).toString('hex');
  readonly database = `vulnscan_test_${this.id}`;
  readonly prefix = `t${this.id}`;
  readonly processes: ServiceProcess[] = [];
  readonly logDir = join(ROOT, 'tmp', 'e2e-logs', this.id);
  private counter = 0;

  constructor(
    readonly baseEnv: Record<string, string> = {},
    readonly pgUrl = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432',
    public amqpUrl = process.env.TEST_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
  ) {
    mkdirSync(this.logDir, { recursive: true });
  }

  get databaseUrl(): string {
    return `${this.pgUrl}/${this.database}`;
  }

  /**
   * What a service runs with: its own role (the local cluster trusts loopback, so no password),
   * which its migration creates and grants; the whole suite so runs on the real grants.
   */
  serviceDatabaseUrl(name: ServiceName): string {
    const url = new URL(this.databaseUrl);
    url.username = serviceRoleName(name);
    url.password = '';
    return url.toString();
  }

  /** The environment of a service process; `service` gives it its own role, the migrations the superuser. */
  env(overrides: Record<string, string> = {}, service?: ServiceName): Record<string, string> {
    return {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      LOG_LEVEL: 'info',
      DATABASE_URL: service ? this.serviceDatabaseUrl(service) : this.databaseUrl,
      DATABASE_MIGRATION_URL: this.databaseUrl,
      DATABASE_POOL_SIZE: '5',
      AMQP_URL: this.amqpUrl,
      AMQP_PREFIX: this.prefix,
      BOOTSTRAP_API_KEY: ADMIN_KEY,
      MESSAGE_MAX_ATTEMPTS: '3',
      ...this.baseEnv,
      ...overrides,
    };
  }

  /** Starts one service process and waits until it reports ready. */
  async start(
    name: ServiceName,
    overrides: Record<string, string> = {},
    { waitReady = true, nodeArgs = [] as string[] } = {},
  ): Promise<ServiceProcess> {
    const port = await freePort();
    const logFile = join(this.logDir, `${name}-${++this.counter}.log`);
    const log = createWriteStream(logFile);
    const child = spawn(process.execPath, ['--enable-source-maps', ...nodeArgs, join(ROOT, 'dist/apps', name, 'src/main.js')], {
      env: this.env({ PORT: String(port), HOST: '127.0.0.1', INSTANCE_ID: `${name}-${this.counter}`, ...overrides }, name),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    const service = new ServiceProcess(name, port, child, logFile);
    this.processes.push(service);
    if (waitReady) {
      await Promise.race([
        waitFor(async () => (await fetch(`${service.url}/health/ready`)).ok, { timeoutMs: 60000, what: `${name} ready` }),
        service.exited.then((code) => {
          throw new Error(`${name} exited with ${code} before it was ready; see ${logFile}`);
        }),
      ]);
    }
    return service;
  }

  /** Runs one service's migrations without starting it (its tables, for services that read them). */
  async migrate(name: ServiceName): Promise<void> {
    await execFileAsync(process.execPath, [join(ROOT, 'dist/apps', name, 'src/migrate.js')], { env: this.env({}, name), timeout: 60000 });
  }

  async query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    const client = new Client({ connectionString: this.databaseUrl });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as T[];
    } finally {
      await client.end();
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.processes.map((service) => service.stop('SIGTERM')));
    const admin = new Client({ connectionString: `${this.pgUrl}/postgres` });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${this.database} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
    await deleteBrokerObjects(this.prefix, this.amqpUrl).catch(() => undefined);
  }
}

/**
 * Removes the queues and exchanges a test created (they are durable and would pile up): one
 * `rabbitmqctl` call lists them (AMQP cannot), one AMQP connection deletes them.
 */
export async function deleteBrokerObjects(prefix: string, amqpUrl: string): Promise<void> {
  const list = async (what: 'list_queues' | 'list_exchanges') => {
    const { stdout } = await execFileAsync('rabbitmqctl', [what, '-q', '--no-table-headers', 'name'], { timeout: 30000 });
    return stdout
      .split('\n')
      .map((line) => line.trim())
      .filter((name) => name.startsWith(`${prefix}.`));
  };
  const [queues, exchanges] = await Promise.all([list('list_queues'), list('list_exchanges')]);
  const connection = await amqpConnect(amqpUrl);
  try {
    const channel = await connection.createChannel();
    for (const queue of queues) await channel.deleteQueue(queue);
    for (const exchange of exchanges) await channel.deleteExchange(exchange);
  } finally {
    await connection.close().catch(() => undefined);
  }
}

/** Publishes events onto a platform's exchange as a service would (one envelope each, confirmed). */
export async function publishEvents(
  platform: TestPlatform,
  events: { type: string; tenantId: string; payload: object; id?: string }[],
): Promise<string[]> {
  const connection = await amqpConnect(platform.amqpUrl);
  try {
    const channel = await connection.createConfirmChannel();
    const ids: string[] = [];
    for (const event of events) {
      const id = event.id ?? randomUUID();
      const envelope = { version: 1, occurredAt: new Date().toISOString(), correlationId: id, ...event, id };
      channel.publish(`${platform.prefix}.events`, event.type, Buffer.from(JSON.stringify(envelope)), { persistent: true });
      ids.push(id);
    }
    await channel.waitForConfirms();
    return ids;
  } finally {
    await connection.close();
  }
}
