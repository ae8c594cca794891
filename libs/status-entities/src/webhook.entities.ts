import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { WebhookEvent } from '@vulnscan/contracts';
import { DeliveryAttempt, DeliveryStatus } from '@vulnscan/status-data';
import { STATUS_SCHEMA } from './schema';

/** A tenant's webhook (schema `status`; only security-status writes it). */
@Entity({ schema: STATUS_SCHEMA, name: 'webhooks' })
export class WebhookEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text')
  tenantId!: string;

  /** Normalized absolute http(s) URL, checked against the outbound host policy. */
  @Column('text')
  url!: string;

  @Column('text', { array: true })
  events!: WebhookEvent[];

  /** AES-256-GCM ciphertext of the signing secret (`v1:<base64 iv|tag|data>`); never leaves security-status. */
  @Column('text', { select: false })
  secret!: string;

  @Column('timestamptz')
  createdAt!: Date;
}

/**
 * One notification of one webhook about one event (a delivery). The table is the delivery queue:
 * rows are enqueued with the event that caused them and claimed by a deliverer with a lease.
 */
@Entity({ schema: STATUS_SCHEMA, name: 'notifications' })
export class NotificationEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column('text')
  tenantId!: string;

  @Column('uuid')
  webhookId!: string;

  @Column('text')
  event!: WebhookEvent;

  @Column('uuid')
  scanId!: string;

  /** The exact JSON sent (and signed) on every attempt. */
  @Column('text')
  body!: string;

  @Column('text')
  status!: DeliveryStatus;

  @Column('int')
  attempts!: number;

  @Column('timestamptz')
  nextAttemptAt!: Date;

  /** A deliverer holds the row until then; nobody else sends it meanwhile. */
  @Column('timestamptz', { nullable: true })
  leaseUntil!: Date | null;

  @Column('uuid', { nullable: true })
  leaseToken!: string | null;

  @Column('int', { nullable: true })
  lastStatusCode!: number | null;

  @Column('text', { nullable: true })
  lastError!: string | null;

  @Column('jsonb')
  attemptLog!: DeliveryAttempt[];

  @Column('timestamptz', { nullable: true })
  deliveredAt!: Date | null;

  @Column('timestamptz')
  createdAt!: Date;

  @Column('timestamptz')
  updatedAt!: Date;
}
