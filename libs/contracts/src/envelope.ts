import { Type } from 'class-transformer';
import { IsInt, IsISO8601, IsObject, IsOptional, IsString, IsUUID, Matches, MaxLength, Min } from 'class-validator';

/** W3C trace context header value, e.g. `00-<32 hex>-<16 hex>-01`. */
const TRACEPARENT = /^[\da-f]{2}-[\da-f]{32}-[\da-f]{16}-[\da-f]{2}$/;

/** The one envelope every message travels in. */
export class MessageEnvelope<TPayload extends object = object> {
  @IsUUID()
  id!: string;

  @IsString()
  @MaxLength(200)
  type!: string;

  @IsInt()
  @Min(1)
  version!: number;

  @IsISO8601()
  occurredAt!: string;

  @IsString()
  @MaxLength(200)
  correlationId!: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  causationId?: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  tenantId?: string;

  @IsOptional()
  @Matches(TRACEPARENT)
  traceparent?: string;

  @IsObject()
  @Type(() => Object)
  payload!: TPayload;
}
