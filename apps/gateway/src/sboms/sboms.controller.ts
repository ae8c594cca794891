import { Controller, Get, Param, ParseUUIDPipe, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import type { Response } from 'express';
import { DEFAULT_SBOM_FORMAT, exportSbom, SBOM_FORMATS, SbomFormat, validateSbom, withReference } from '@vulnscan/analysis';
import { SbomReader } from '@vulnscan/sbom-data';
import { ScanReader } from '@vulnscan/scan-data';
import { GatewayErrorCode } from '@vulnscan/contracts';
import type { Principal } from '../auth/api-keys.service';
import { Authenticated, CurrentPrincipal } from '../auth/auth.guard';
import { Scope } from '../entities';
import { apiError } from '../errors';

class SbomQuery {
  @ApiPropertyOptional({ enum: SBOM_FORMATS, default: DEFAULT_SBOM_FORMAT })
  @IsOptional()
  @IsIn([...SBOM_FORMATS])
  format?: SbomFormat;
}

@ApiTags('scans')
@Controller('api/v1/scans')
export class SbomsController {
  constructor(
    private readonly scans: ScanReader,
    private readonly sboms: SbomReader,
  ) {}

  /**
   * The SBOM of a completed scan's manifest. SBOMs are shared content, reached only through the
   * tenant's own scan (whose credentials fetched that manifest), and carry that scan's reference.
   */
  @Get(':id/sbom')
  @Authenticated(Scope.ScansRead)
  @ApiOperation({ summary: 'SBOM of a completed scan: CycloneDX 1.6 (default) or SPDX 2.3 JSON' })
  async get(
    @Param('id', new ParseUUIDPipe({ version: undefined })) id: string,
    @Query() query: SbomQuery,
    @CurrentPrincipal() principal: Principal,
    @Res({ passthrough: true }) response: Response,
  ): Promise<object> {
    const scan = await this.scans.findOne(principal.tenantId, id);
    if (!scan) throw apiError(GatewayErrorCode.ScanNotFound, `Scan ${id} not found.`);
    if (scan.status !== 'completed' || !scan.manifestDigest) {
      throw apiError(GatewayErrorCode.ScanNotCompleted, `Scan ${id} is ${scan.status}; its SBOM exists once it has completed.`);
    }
    const stored = await this.sboms.latest(scan.manifestDigest);
    if (!stored) throw apiError(GatewayErrorCode.SbomNotFound, `No SBOM is stored for ${scan.manifestDigest}.`);
    const { mediaType, document } = exportSbom(
      withReference(validateSbom(stored.document), scan.image),
      query.format ?? DEFAULT_SBOM_FORMAT,
    );
    response.setHeader('Content-Type', mediaType);
    return document;
  }
}
