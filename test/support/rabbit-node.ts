import { ChildProcess, execFile, spawn } from 'node:child_process';
import { chownSync, createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '@vulnscan/testing';
import { waitFor } from './platform';

const execFileAsync = promisify(execFile);

/**
 * A RabbitMQ node of the test's own (own ports, own data directory), so the test can stop and
 * restart a broker without disturbing anything else on the machine. Its data survives a restart.
 */
export class RabbitNode {
  private child: ChildProcess | null = null;

  private constructor(
    readonly name: string,
    readonly port: number,
    private readonly distPort: number,
    private readonly dir: string,
  ) {}

  static async create(): Promise<RabbitNode> {
    const dir = mkdtempSync(join(tmpdir(), 'vulnscan-rabbit-'));
    for (const sub of ['mnesia', 'log']) mkdirSync(join(dir, sub));
    writeFileSync(join(dir, 'enabled_plugins'), '[].');
    const port = await freePort();
    // its own config: the machine's may pin the listener to the default port
    writeFileSync(join(dir, 'rabbitmq.conf'), `listeners.tcp.local = 127.0.0.1:${port}\n`);
    // rabbitmq-server drops to the rabbitmq user when started as root
    const { stdout } = await execFileAsync('id', ['-u', 'rabbitmq']).catch(() => ({ stdout: '' }));
    if (stdout.trim()) {
      const uid = Number(stdout.trim());
      for (const name of ['', 'mnesia', 'log', 'enabled_plugins', 'rabbitmq.conf']) chownSync(join(dir, name), uid, uid);
    }
    const node = new RabbitNode(`vulnscan-test-${process.pid}-${Date.now() % 100000}@localhost`, port, await freePort(), dir);
    await node.start();
    return node;
  }

  get url(): string {
    return `amqp://guest:guest@127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.child = spawn('rabbitmq-server', [], {
      env: {
        ...process.env,
        RABBITMQ_NODENAME: this.name,
        RABBITMQ_NODE_PORT: String(this.port),
        RABBITMQ_DIST_PORT: String(this.distPort),
        RABBITMQ_MNESIA_BASE: join(this.dir, 'mnesia'),
        RABBITMQ_LOG_BASE: join(this.dir, 'log'),
        RABBITMQ_ENABLED_PLUGINS_FILE: join(this.dir, 'enabled_plugins'),
        RABBITMQ_CONFIG_FILE: join(this.dir, 'rabbitmq.conf'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const log = createWriteStream(join(this.dir, 'server.out'), { flags: 'a' });
    this.child.stdout?.pipe(log);
    this.child.stderr?.pipe(log);
    await waitFor(() => this.accepting(), { timeoutMs: 60000, intervalMs: 200, what: `RabbitMQ node ${this.name}` });
  }

  async stop(): Promise<void> {
    await execFileAsync('rabbitmqctl', ['-n', this.name, 'stop'], { timeout: 60000 }).catch(() => undefined);
    await waitFor(async () => !(await this.accepting()), { timeoutMs: 30000, what: 'RabbitMQ to stop' });
    const child = this.child;
    this.child = null;
    if (child && child.exitCode === null && child.signalCode === null) {
      await new Promise((done) => {
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          done(undefined);
        }, 15000);
        child.once('exit', () => {
          clearTimeout(timer);
          done(undefined);
        });
      });
    }
  }

  async destroy(): Promise<void> {
    if (this.child) await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async accepting(): Promise<boolean> {
    return new Promise((done) => {
      const socket = connect(this.port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        done(true);
      });
      socket.once('error', () => done(false));
    });
  }
}
