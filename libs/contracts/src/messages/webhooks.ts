import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsEnum,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  MinLength,
} from 'class-validator';
import { parseOutboundUrl, ValidatedBy } from './outbound-url';

/** What a webhook is called for. */
export enum WebhookEvent {
  /** Any scan of the tenant completed. */
  ScanCompleted = 'scan.completed',
  /** A completed scan found vulnerabilities the image's previous completed scan did not have. */
  NewVulnerabilities = 'vulnerabilities.new',
}

export const WEBHOOK_EVENTS: readonly WebhookEvent[] = Object.values(WebhookEvent);

/** The headers of every delivery; the signature is `sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`. */
export const WebhookHeaders = {
  Event: 'X-Vulnscan-Event',
  Delivery: 'X-Vulnscan-Delivery',
  Timestamp: 'X-Vulnscan-Timestamp',
  Signature: 'X-Vulnscan-Signature',
  Attempt: 'X-Vulnscan-Attempt',
} as const;

export const WEBHOOK_URL_MAX_LENGTH = 2048;

/**
 * What is wrong with a webhook URL on its face (the host's addresses are checked by the owner):
 * an absolute http(s) URL without credentials or fragment. Undefined when it is fine.
 */
export function webhookUrlProblem(value: unknown): string | undefined {
  const url = parseOutboundUrl(value, WEBHOOK_URL_MAX_LENGTH, 'deliveries are authenticated by their signature');
  if (typeof url === 'string') return url;
  if (url.hash) return 'url must not have a #fragment (it is never sent)';
  return undefined;
}

/** class-validator rule for webhookUrlProblem, its message naming what is wrong. */
export const IsWebhookUrl = (): PropertyDecorator => ValidatedBy('isWebhookUrl', webhookUrlProblem);

/** Command (request/reply) from the gateway to security-status, which owns webhooks. */
export class CreateWebhookCommand {
  @IsString()
  @MaxLength(100)
  tenantId!: string;

  @IsWebhookUrl()
  url!: string;

  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(WEBHOOK_EVENTS.length)
  @ArrayUnique()
  @IsEnum(WebhookEvent, { each: true })
  events!: WebhookEvent[];

  /** The signing secret; generated (and returned once) when absent. */
  @IsOptional()
  @IsString()
  @MinLength(16)
  @MaxLength(256)
  secret?: string;
}

export class DeleteWebhookCommand {
  @IsString()
  @MaxLength(100)
  tenantId!: string;

  @IsUUID()
  id!: string;
}

/** A webhook as anyone but security-status sees it: never its secret. */
export class WebhookView {
  id!: string;
  url!: string;
  events!: WebhookEvent[];
  createdAt!: string;
}

/** The answer to CreateWebhook: the only time the secret is shown. */
export class CreatedWebhookView extends WebhookView {
  secret!: string;
}
