import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { GatewayErrorCode } from '@vulnscan/contracts';
import { ScanReader } from '@vulnscan/scan-data';
import { Authenticated, CurrentPrincipal } from '../auth/auth.guard';
import type { Principal } from '../auth/api-keys.service';
import { Scope } from '../entities';
import { CreateScanDto, CreateScanResponse, ListScansQuery } from './scan.dto';
import { presentScan } from './scan.presenter';
import { normalizeImage, parsePlatform, requestedImage } from './scan-request';
import { OwnerCommands } from '../owner-commands.service';
import { apiError } from '../errors';

@ApiTags('scans')
@Controller('api/v1')
export class ScansController {
  constructor(
    private readonly commands: OwnerCommands,
    private readonly reader: ScanReader,
  ) {}

  @Post('scans')
  @Authenticated(Scope.ScansWrite)
  @HttpCode(202)
  @ApiOperation({ summary: 'Request a scan (deduplicated against a queued or running scan of the same image)' })
  @ApiAcceptedResponse({ type: CreateScanResponse, description: 'A new scan' })
  @ApiOkResponse({ type: CreateScanResponse, description: 'The queued or running scan of that image (deduplicated)' })
  async create(
    @Body() body: CreateScanDto,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) response: Response,
  ): Promise<CreateScanResponse> {
    const reply = await this.commands.create(principal.tenantId, {
      image: requestedImage(body),
      forceRescan: body.force_rescan ?? false,
      idempotencyKey: body.idempotency_key,
      platform: parsePlatform(body.platform),
      requestedBy: principal.keyId,
    });
    if (reply.deduplicated) response.status(200);
    return { scan_id: reply.scanId, status: reply.status, deduplicated: reply.deduplicated };
  }

  @Get('scans/:id')
  @Authenticated(Scope.ScansRead)
  @ApiOperation({ summary: 'One scan: status, progress, resolved manifest and layers, error' })
  async get(@Param('id', new ParseUUIDPipe({ version: undefined })) id: string, @CurrentPrincipal() principal: Principal) {
    const scan = await this.reader.findOne(principal.tenantId, id);
    if (!scan) throw apiError(GatewayErrorCode.ScanNotFound, `Scan ${id} not found.`);
    return presentScan(scan, await this.reader.attempts(principal.tenantId, id));
  }

  @Get('scans')
  @Authenticated(Scope.ScansRead)
  @ApiOperation({ summary: 'Every scan, newest first, cursor-paginated' })
  async list(@Query() query: ListScansQuery, @CurrentPrincipal() principal: Principal) {
    return this.page(principal.tenantId, { ...query, image: query.image ? normalizeImage(query.image) : undefined });
  }

  @Get('images/:reference/scans')
  @Authenticated(Scope.ScansRead)
  @ApiOperation({ summary: 'The scan history of one image (reference URL-encoded as one path segment)' })
  async history(@Param('reference') reference: string, @Query() query: ListScansQuery, @CurrentPrincipal() principal: Principal) {
    return this.page(principal.tenantId, { ...query, image: normalizeImage(reference, 'reference') });
  }

  @Delete('scans/:id')
  @Authenticated(Scope.ScansWrite)
  @ApiOperation({ summary: 'Cancel a queued or running scan' })
  async cancel(@Param('id', new ParseUUIDPipe({ version: undefined })) id: string, @CurrentPrincipal() principal: Principal) {
    const reply = await this.commands.cancel(principal.tenantId, id);
    if (!reply.canceled) {
      throw apiError(GatewayErrorCode.ScanFinished, `Scan ${id} is already ${reply.status}; nothing to cancel.`, { status: reply.status });
    }
    return { scan_id: reply.scanId, status: reply.status };
  }

  private async page(tenantId: string, query: ListScansQuery & { image?: string }) {
    const page = await this.reader.list(tenantId, { ...query, limit: query.limit ?? 50 });
    return { items: page.items.map((scan) => presentScan(scan)), next_cursor: page.nextCursor };
  }
}
