import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import { errorText } from '../messaging.errors';

const RECONNECT_MAX_MS = 10_000;

/**
 * A dedicated Postgres connection LISTENing on one channel (the outbox relay's inserts, the
 * gateway's key revocations). It reconnects on its own when it drops; `onReady` fires after every
 * (re)connect because notifications sent meanwhile are lost.
 */
export class PostgresListener {
  private readonly logger = new Logger(PostgresListener.name);
  private client?: Client;
  private stopped = true;
  private retryTimer?: NodeJS.Timeout;
  private delay = 250;

  constructor(
    private readonly databaseUrl: string,
    private readonly channel: string,
    private readonly onNotify: (payload: string | undefined) => void,
    private readonly onReady: () => void,
  ) {}

  start(): Promise<void> {
    this.stopped = false;
    return this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = undefined;
    if (client) await client.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new Client({ connectionString: this.databaseUrl, application_name: `listener:${this.channel}` });
    client.on('notification', (notification) => this.onNotify(notification.payload));
    client.on('error', (error: Error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('connection ended')));
    try {
      await client.connect();
      await client.query(`LISTEN "${this.channel}"`);
    } catch (error) {
      await client.end().catch(() => undefined);
      this.scheduleReconnect(error);
      return;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.delay = 250;
    this.onReady();
  }

  private lost(client: Client, error: unknown): void {
    if (this.client !== client) return;
    this.client = undefined;
    void client.end().catch(() => undefined);
    this.scheduleReconnect(error);
  }

  private scheduleReconnect(error: unknown): void {
    if (this.stopped) return;
    this.logger.warn(`LISTEN ${this.channel} connection unavailable (retrying in ${this.delay} ms): ${errorText(error)}`);
    this.retryTimer = setTimeout(() => void this.connect(), this.delay);
    this.retryTimer.unref();
    this.delay = Math.min(this.delay * 2, RECONNECT_MAX_MS);
  }
}
