import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiNotFoundResponse,
  ApiOperation,
  ApiPropertyOptional,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { Commands, GatewayErrorCode, IsRegExpPattern, MAX_BULK_IMAGES, REGISTRY_HOST_PATTERN } from '@vulnscan/contracts';
import { BatchReader } from '@vulnscan/scan-data';
import type { Principal } from '../auth/api-keys.service';
import { Authenticated, CurrentPrincipal } from '../auth/auth.guard';
import { Scope } from '../entities';
import { OwnerCommands } from '../owner-commands.service';
import { BatchCreatedResponse } from '../schedules/schedule.dto';
import { presentBatch, presentBatchCreated } from './batch.presenter';
import { apiError } from '../errors';

class BulkFilterDto {
  @ApiPropertyOptional({ example: 'ghcr.io' })
  @IsOptional()
  @Matches(REGISTRY_HOST_PATTERN, { message: 'filter.registry must be a host or host:port' })
  @MaxLength(255)
  registry?: string;

  @ApiPropertyOptional({ example: 'acme/api', description: 'Repository path within the registry' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  repository?: string;

  @ApiPropertyOptional({ example: ':v1\\.', description: 'POSIX regex the whole normalized reference must match' })
  @IsOptional()
  @MaxLength(1000)
  @IsRegExpPattern()
  pattern?: string;
}

class BulkScanDto {
  @ApiPropertyOptional({ type: [String], maxItems: MAX_BULK_IMAGES, example: ['ghcr.io/acme/api:1.4', 'alpine:3.19'] })
  @ValidateIf((body: BulkScanDto) => body.filter === undefined)
  @IsArray({ message: 'give images (a list of references) or filter' })
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BULK_IMAGES)
  @IsString({ each: true })
  @MaxLength(1024, { each: true })
  images?: string[];

  @ApiPropertyOptional({ type: BulkFilterDto, description: "Selects among the tenant's known images (scanned before); {} selects all" })
  @IsOptional()
  @ValidateNested()
  @Type(() => BulkFilterDto)
  filter?: BulkFilterDto;

  @ApiPropertyOptional({ default: false, description: 'Scan images even when a scan of them is queued or running' })
  @IsOptional()
  @IsBoolean()
  force_rescan?: boolean;
}

/** Bulk rescans and the batches they (and schedule runs) create. */
@ApiTags('batches')
@Controller('api/v1')
export class BatchesController {
  constructor(
    private readonly commands: OwnerCommands,
    private readonly reader: BatchReader,
  ) {}

  @Post('scans/bulk')
  @HttpCode(202)
  @Authenticated(Scope.Admin)
  @ApiOperation({
    summary: 'Scan many images: a list of references or a filter over known images; one bulk per tenant per cooldown (BULK_COOLDOWN)',
  })
  @ApiAcceptedResponse({ type: BatchCreatedResponse })
  @ApiTooManyRequestsResponse({ description: 'Within the cooldown of the previous bulk scan; Retry-After says when' })
  async bulk(@Body() body: BulkScanDto, @CurrentPrincipal() principal: Principal) {
    if (body.images !== undefined && body.filter !== undefined)
      throw apiError(GatewayErrorCode.InvalidRequest, 'give images or filter, not both', { fields: ['images', 'filter'] });
    const outcome = await this.commands.send(Commands.CreateBulkScan, principal.tenantId, {
      tenantId: principal.tenantId,
      ...(body.images !== undefined ? { images: body.images } : { filter: body.filter }),
      ...(body.force_rescan !== undefined ? { forceRescan: body.force_rescan } : {}),
      requestedBy: principal.keyId,
    });
    return presentBatchCreated(outcome);
  }

  @Get('batches/:id')
  @Authenticated(Scope.ScansRead)
  @ApiOperation({ summary: 'A batch (bulk scan or schedule run) with its scans counted per status' })
  @ApiNotFoundResponse({ description: 'No such batch in this tenant' })
  async get(@Param('id', new ParseUUIDPipe({ version: undefined })) id: string, @CurrentPrincipal() principal: Principal) {
    const summary = await this.reader.batch(principal.tenantId, id);
    if (!summary) throw apiError(GatewayErrorCode.NotFound, `batch ${id} not found`);
    return presentBatch(summary);
  }

  @Post('batches/:id/cancel')
  @Authenticated(Scope.ScansWrite)
  @ApiOperation({ summary: 'Cancel a batch: its queued scans never start, running ones stop at the next layer' })
  @ApiNotFoundResponse({ description: 'No such batch in this tenant' })
  async cancel(@Param('id', new ParseUUIDPipe({ version: undefined })) id: string, @CurrentPrincipal() principal: Principal) {
    const { canceled } = await this.commands.send(Commands.CancelBatch, principal.tenantId, {
      tenantId: principal.tenantId,
      batchId: id,
    });
    return { ...(await this.get(id, principal)), canceled_now: canceled };
  }
}
