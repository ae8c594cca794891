import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsEnum, IsOptional, IsString, MaxLength } from 'class-validator';
import { GatewayErrorCode } from '@vulnscan/contracts';
import { InvalidReferenceError, isDigest, parseImageReference } from '@vulnscan/image-reference';
import { ManifestStatusRow, SecurityStatus, StatusReader } from '@vulnscan/status-data';
import { ReportReader } from '@vulnscan/vulndb-data';
import type { Principal } from '../auth/api-keys.service';
import { Authenticated, CurrentPrincipal } from '../auth/auth.guard';
import { Scope } from '../entities';
import { PageQuery } from '../page-query.dto';
import { apiError } from '../errors';

class SecurityQuery {
  @ApiPropertyOptional({
    description: 'Repository with its registry host, as pulled through the cache',
    example: 'docker.io/library/alpine',
  })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  repository?: string;
}

class ManifestListQuery extends PageQuery {
  @ApiPropertyOptional({ enum: SecurityStatus })
  @IsOptional()
  @IsEnum(SecurityStatus, { message: `status must be one of ${Object.values(SecurityStatus).join(', ')}` })
  status?: SecurityStatus;
}

const present = (row: ManifestStatusRow) => ({
  manifest_digest: row.manifestDigest,
  repository: `${row.upstream}/${row.repository}`,
  media_type: row.mediaType,
  status: row.status,
  reason: row.reason,
  message: row.message,
  attempts: row.attempts,
  scan_id: row.scanId,
  last_completed_scan_id: row.lastCompletedScanId,
  updated_at: row.updatedAt.toISOString(),
});

/** The security status of manifests pulled through the blob cache (security-status owns it). */
@ApiTags('manifests')
@Controller('api/v1/manifests')
export class ManifestsController {
  constructor(
    private readonly statuses: StatusReader,
    private readonly reports: ReportReader,
  ) {}

  @Get()
  @Authenticated(Scope.ScansRead)
  @ApiOperation({ summary: 'Cached manifests and their security status, newest first' })
  async list(@Query() query: ManifestListQuery, @CurrentPrincipal() principal: Principal) {
    const page = await this.statuses.list(principal.tenantId, { status: query.status, cursor: query.cursor, limit: query.limit ?? 50 });
    return { items: page.items.map(present), next_cursor: page.nextCursor };
  }

  @Get(':digest/security')
  @Authenticated(Scope.ScansRead)
  @ApiOperation({ summary: "A cached manifest's security status, with its last report's summary" })
  async security(@Param('digest') digest: string, @Query() query: SecurityQuery, @CurrentPrincipal() principal: Principal) {
    if (!isDigest(digest))
      throw apiError(GatewayErrorCode.InvalidDigest, 'digest: must be a digest such as sha256:<hex>', { fields: ['digest'] });
    const rows = await this.statuses.find(principal.tenantId, digest, query.repository ? this.repository(query.repository, digest) : {});
    if (rows.length === 0) {
      const where = query.repository ? ` in ${query.repository}` : '';
      throw apiError(GatewayErrorCode.ManifestNotFound, `No manifest ${digest}${where} has passed through the cache.`);
    }
    if (rows.length > 1) {
      const repositories = rows.map((row) => `${row.upstream}/${row.repository}`).join(', ');
      throw apiError(
        GatewayErrorCode.RepositoryRequired,
        `repository: ${digest} is cached for several repositories (${repositories}); name one.`,
        {
          fields: ['repository'],
        },
      );
    }
    const [row] = rows;
    const report = row.lastCompletedScanId ? await this.reports.forScan(principal.tenantId, row.lastCompletedScanId) : undefined;
    return {
      ...present(row),
      report: report
        ? {
            report_id: report.id,
            scan_id: report.scanId,
            vulndb_version: report.vulndbVersion,
            created_at: report.createdAt.toISOString(),
            summary: report.summary,
          }
        : null,
    };
  }

  /** `docker.io/library/alpine`, `alpine`, `127.0.0.1:5555/team/app` → upstream and repository as the cache names them. */
  private repository(value: string, digest: string): { upstream: string; repository: string } {
    try {
      const reference = parseImageReference(`${value}@${digest}`);
      if (reference.tag) throw new InvalidReferenceError(value, 'a repository has no tag');
      return { upstream: reference.registry, repository: reference.repository };
    } catch (error) {
      if (error instanceof InvalidReferenceError)
        throw apiError(GatewayErrorCode.InvalidRepository, `repository: ${error.reason}`, { fields: ['repository'] });
      throw error;
    }
  }
}
