import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { MESSAGING_OPTIONS, PostgresListener, ResolvedMessagingOptions } from '@vulnscan/messaging';

/**
 * The Postgres channel on which the gateway announces revoked keys, so every process that caches
 * verified keys (each gateway replica, the blob cache) forgets them at once instead of trusting
 * them until their cache entry expires. NOTIFY is transactional: it is sent when the revocation commits.
 */
export const KEYS_REVOKED_CHANNEL = 'gateway_api_keys_revoked';

/** What was revoked: every key of a tenant (it was deleted), or one key. */
export type KeyRevocation = { tenantId: string } | { keyId: string };

/** Announces a revocation in the caller's transaction (a manager or data source of the gateway). */
export async function announceKeyRevocation(db: { query(sql: string, params: unknown[]): Promise<unknown> }, revocation: KeyRevocation) {
  await db.query('SELECT pg_notify($1, $2)', [KEYS_REVOKED_CHANNEL, JSON.stringify(revocation)]);
}

function parseRevocation(payload: string | undefined): KeyRevocation | undefined {
  try {
    const parsed = JSON.parse(payload ?? '') as Record<string, unknown>;
    if (typeof parsed.tenantId === 'string') return { tenantId: parsed.tenantId };
    if (typeof parsed.keyId === 'string') return { keyId: parsed.keyId };
  } catch {
    // not ours: ignored
  }
  return undefined;
}

/** Whether a cached key (by its key id and tenant) is one a revocation names. */
export function isRevokedBy(revocation: KeyRevocation, key: { keyId: string; tenantId: string }): boolean {
  return 'tenantId' in revocation ? key.tenantId === revocation.tenantId : key.keyId === revocation.keyId;
}

/**
 * Listens for the gateway's key revocations on a connection of its own. `revoked` hears each;
 * `missed` runs after every (re)connect, when announcements may have been lost meanwhile: a cache
 * then forgets everything. While the connection is down, cache entries still expire on their own.
 */
@Injectable()
export class KeyRevocations implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly listener: PostgresListener;
  private readonly subscribers: { revoked: (revocation: KeyRevocation) => void; missed: () => void }[] = [];

  constructor(@Inject(MESSAGING_OPTIONS) options: ResolvedMessagingOptions) {
    this.listener = new PostgresListener(
      options.databaseUrl,
      KEYS_REVOKED_CHANNEL,
      (payload) => {
        const revocation = parseRevocation(payload);
        if (revocation) for (const subscriber of this.subscribers) subscriber.revoked(revocation);
      },
      () => {
        for (const subscriber of this.subscribers) subscriber.missed();
      },
    );
  }

  subscribe(revoked: (revocation: KeyRevocation) => void, missed: () => void): void {
    this.subscribers.push({ revoked, missed });
  }

  onApplicationBootstrap(): Promise<void> {
    return this.listener.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.listener.stop();
  }
}
