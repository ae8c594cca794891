import { Controller, Get, Param, ParseUUIDPipe, Query } from '@nestjs/common';
import { ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsArray, IsBoolean, IsIn, IsOptional, IsUUID } from 'class-validator';
import { ScanReader } from '@vulnscan/scan-data';
import { FindingRow, ReportReader, ReportRow } from '@vulnscan/vulndb-data';
import { GatewayErrorCode } from '@vulnscan/contracts';
import type { Principal } from '../auth/api-keys.service';
import { Authenticated, CurrentPrincipal } from '../auth/auth.guard';
import { Scope } from '../entities';
import { apiError } from '../errors';
import { normalizeImage } from '../scans/scan-request';

const SEVERITIES = ['Unknown', 'Negligible', 'Low', 'Medium', 'High', 'Critical'] as const;

class ReportQuery {
  @ApiPropertyOptional({ description: 'Comma-separated severities to keep', example: 'High,Critical' })
  @IsOptional()
  @Transform(({ value }) =>
    typeof value === 'string'
      ? value
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : value,
  )
  @IsArray()
  @IsIn([...SEVERITIES], { each: true, message: `severity must be among ${SEVERITIES.join(', ')}` })
  severity?: string[];

  @ApiPropertyOptional({ description: 'true: only findings with a fix; false: only those without' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'fixable must be true or false' })
  fixable?: boolean;
}

class DiffQuery {
  @IsUUID(undefined, { message: 'from must be a scan id' })
  from!: string;

  @IsUUID(undefined, { message: 'to must be a scan id' })
  to!: string;
}

const presentFinding = (f: FindingRow) => ({
  id: f.advisoryId,
  aliases: f.aliases,
  source: f.feed,
  package: { type: f.packageType, name: f.packageName, version: f.packageVersion, purl: f.purl, path: f.path, layer: f.layerDigest },
  ecosystem: f.ecosystem,
  installed_version: f.installedVersion,
  fixed_version: f.fixedVersion,
  fixable: f.fixedVersion !== null,
  severity: f.severity,
  severity_source: f.severitySource,
  cvss: f.cvssVector ? { score: f.cvssScore, vector: f.cvssVector } : null,
  summary: f.summary,
  links: f.refs,
});

/** One vulnerability of one package instance: what a diff compares. */
const findingKey = (f: FindingRow): string => [f.advisoryId, f.packageType, f.packageName, f.path].join('\u0000');

/** Vulnerability reports of completed scans, and what changed between two scans of an image. */
@ApiTags('reports')
@Controller('api/v1')
export class ReportsController {
  constructor(
    private readonly scans: ScanReader,
    private readonly reports: ReportReader,
  ) {}

  @Get('scans/:id/report')
  @Authenticated(Scope.ScansRead)
  @ApiOperation({ summary: "A completed scan's vulnerability report: counts by severity, coverage and findings (filterable)" })
  async report(
    @Param('id', new ParseUUIDPipe({ version: undefined })) id: string,
    @Query() query: ReportQuery,
    @CurrentPrincipal() principal: Principal,
  ) {
    const { scan, report } = await this.reportOf(principal.tenantId, id);
    const findings = await this.reports.findings(report.id, { severities: query.severity, fixable: query.fixable });
    return {
      scan_id: scan.id,
      report_id: report.id,
      image: scan.image,
      manifest_digest: report.manifestDigest,
      vulndb_version: report.vulndbVersion,
      created_at: report.createdAt.toISOString(),
      os: report.os,
      summary: report.summary,
      coverage: report.coverage,
      findings: findings.map(presentFinding),
    };
  }

  @Get('images/:reference/diff')
  @Authenticated(Scope.ScansRead)
  @ApiOperation({ summary: 'New, fixed and unchanged findings between two completed scans of one image' })
  async diff(@Param('reference') reference: string, @Query() query: DiffQuery, @CurrentPrincipal() principal: Principal) {
    const image = normalizeImage(reference, 'reference');
    const [from, to] = [await this.reportOf(principal.tenantId, query.from), await this.reportOf(principal.tenantId, query.to)];
    for (const [field, side] of [
      ['from', from],
      ['to', to],
    ] as const) {
      if (side.scan.image !== image) {
        throw apiError(GatewayErrorCode.ScanOfAnotherImage, `${field}: scan ${side.scan.id} is of ${side.scan.image}, not ${image}.`, {
          fields: [field],
        });
      }
    }
    const [before, after] = [await this.reports.findings(from.report.id), await this.reports.findings(to.report.id)];
    const beforeKeys = new Set(before.map(findingKey));
    const afterKeys = new Set(after.map(findingKey));
    return {
      image,
      from: { scan_id: from.scan.id, manifest_digest: from.report.manifestDigest, vulndb_version: from.report.vulndbVersion },
      to: { scan_id: to.scan.id, manifest_digest: to.report.manifestDigest, vulndb_version: to.report.vulndbVersion },
      new: after.filter((f) => !beforeKeys.has(findingKey(f))).map(presentFinding),
      fixed: before.filter((f) => !afterKeys.has(findingKey(f))).map(presentFinding),
      unchanged: after.filter((f) => beforeKeys.has(findingKey(f))).map(presentFinding),
    };
  }

  private async reportOf(tenantId: string, scanId: string): Promise<{ scan: { id: string; image: string }; report: ReportRow }> {
    const scan = await this.scans.findOne(tenantId, scanId);
    if (!scan) throw apiError(GatewayErrorCode.ScanNotFound, `Scan ${scanId} not found.`);
    if (scan.status !== 'completed') {
      throw apiError(GatewayErrorCode.ScanNotCompleted, `Scan ${scanId} is ${scan.status}; its report exists once it has completed.`);
    }
    const report = await this.reports.forScan(tenantId, scanId);
    if (!report) throw apiError(GatewayErrorCode.ReportNotFound, `Scan ${scanId} has no vulnerability report.`);
    return { scan, report };
  }
}
