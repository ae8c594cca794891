import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import {
  Commands,
  GatewayErrorCode,
  IsWebhookUrl,
  WEBHOOK_EVENTS,
  WEBHOOK_URL_MAX_LENGTH,
  WebhookEvent,
  WebhookView,
} from '@vulnscan/contracts';
import { DeliveryView, WebhookReader } from '@vulnscan/status-data';
import type { Principal } from '../auth/api-keys.service';
import { Authenticated, CurrentPrincipal } from '../auth/auth.guard';
import { Scope } from '../entities';
import { OwnerCommands } from '../owner-commands.service';
import { PageQuery } from '../page-query.dto';
import { apiError } from '../errors';

class CreateWebhookDto {
  @ApiProperty({
    example: 'https://hooks.example.com/vulnscan',
    maxLength: WEBHOOK_URL_MAX_LENGTH,
    description: 'http(s), no credentials; its host must pass the outbound policy',
  })
  @IsWebhookUrl()
  url!: string;

  @ApiProperty({ enum: WebhookEvent, isArray: true, example: [WebhookEvent.ScanCompleted, WebhookEvent.NewVulnerabilities] })
  @IsArray()
  @ArrayMinSize(1, { message: 'events must name at least one event' })
  @ArrayMaxSize(WEBHOOK_EVENTS.length)
  @ArrayUnique({ message: 'events must not repeat an event' })
  @IsIn([...WEBHOOK_EVENTS], { each: true, message: `events must be among ${WEBHOOK_EVENTS.join(', ')}` })
  events!: WebhookEvent[];

  @ApiPropertyOptional({ description: 'Signing secret (16-256 characters); generated when absent. Returned in this answer only.' })
  @IsOptional()
  @IsString()
  @MinLength(16)
  @MaxLength(256)
  secret?: string;
}

const present = (view: WebhookView) => ({ id: view.id, url: view.url, events: view.events, created_at: view.createdAt });

const presentDelivery = (delivery: DeliveryView) => ({
  id: delivery.id,
  webhook_id: delivery.webhookId,
  event: delivery.event,
  scan_id: delivery.scanId,
  status: delivery.status,
  attempts: delivery.attempts,
  next_attempt_at: delivery.nextAttemptAt?.toISOString() ?? null,
  last_status_code: delivery.lastStatusCode,
  last_error: delivery.lastError,
  delivered_at: delivery.deliveredAt?.toISOString() ?? null,
  created_at: delivery.createdAt.toISOString(),
  attempt_log: delivery.attemptLog,
});

/** A tenant's webhooks; security-status owns them, stores their secrets encrypted and delivers. */
@ApiTags('webhooks')
@Controller('api/v1/webhooks')
export class WebhooksController {
  constructor(
    private readonly commands: OwnerCommands,
    private readonly reader: WebhookReader,
  ) {}

  @Post()
  @Authenticated(Scope.ScansWrite)
  @ApiOperation({ summary: 'Register a webhook for scan.completed and/or vulnerabilities.new; the answer holds its signing secret, once' })
  @ApiCreatedResponse({ description: 'The webhook, with `secret`' })
  async create(@Body() body: CreateWebhookDto, @CurrentPrincipal() principal: Principal) {
    const view = await this.commands.send(Commands.CreateWebhook, principal.tenantId, {
      tenantId: principal.tenantId,
      url: body.url,
      events: body.events,
      ...(body.secret !== undefined ? { secret: body.secret } : {}),
    });
    return { ...present(view), secret: view.secret };
  }

  @Get()
  @Authenticated(Scope.ScansRead)
  @ApiOperation({ summary: "This tenant's webhooks (never their secrets)" })
  async list(@CurrentPrincipal() principal: Principal) {
    return { items: (await this.reader.list(principal.tenantId)).map(present), next_cursor: null };
  }

  @Get(':id')
  @Authenticated(Scope.ScansRead)
  @ApiOperation({ summary: 'One webhook (never its secret)' })
  @ApiNotFoundResponse({ description: 'No such webhook in this tenant' })
  async get(@Param('id', new ParseUUIDPipe({ version: undefined })) id: string, @CurrentPrincipal() principal: Principal) {
    return present(await this.find(principal.tenantId, id));
  }

  @Delete(':id')
  @HttpCode(204)
  @Authenticated(Scope.ScansWrite)
  @ApiOperation({ summary: 'Delete a webhook; its pending deliveries are dropped' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ description: 'No such webhook in this tenant' })
  async delete(
    @Param('id', new ParseUUIDPipe({ version: undefined })) id: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<void> {
    await this.commands.send(Commands.DeleteWebhook, principal.tenantId, { tenantId: principal.tenantId, id });
  }

  @Get(':id/deliveries')
  @Authenticated(Scope.ScansRead)
  @ApiOperation({ summary: "A webhook's deliveries, newest first, each with every attempt (time, status code, error, duration)" })
  @ApiNotFoundResponse({ description: 'No such webhook in this tenant' })
  async deliveries(
    @Param('id', new ParseUUIDPipe({ version: undefined })) id: string,
    @Query() query: PageQuery,
    @CurrentPrincipal() principal: Principal,
  ) {
    await this.find(principal.tenantId, id);
    const page = await this.reader.deliveries(principal.tenantId, id, { cursor: query.cursor, limit: query.limit ?? 50 });
    return { items: page.items.map(presentDelivery), next_cursor: page.nextCursor };
  }

  private async find(tenantId: string, id: string): Promise<WebhookView> {
    const webhook = await this.reader.find(tenantId, id);
    if (!webhook) throw apiError(GatewayErrorCode.WebhookNotFound, `Webhook ${id} not found.`);
    return webhook;
  }
}
