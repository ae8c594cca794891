import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { ArrayMaxSize, IsArray, IsOptional, IsString, MaxLength } from 'class-validator';
import { DataSource } from 'typeorm';
import { Events } from '@vulnscan/contracts';
import { Outbox } from '@vulnscan/messaging';
import { VulnDbReader } from '@vulnscan/vulndb-data';
import type { Principal } from '../auth/api-keys.service';
import { Authenticated, CurrentPrincipal } from '../auth/auth.guard';
import { Scope } from '../entities';

class SyncRequestDto {
  @ApiPropertyOptional({ type: [String], description: 'Feed names as GET /api/v1/vulndb lists them; all feeds when absent' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  feeds?: string[];
}

/** The vulnerability database: which feeds it holds, how fresh they are, and syncing them now. */
@ApiTags('vulndb')
@Controller('api/v1/vulndb')
export class VulnDbController {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly reader: VulnDbReader,
  ) {}

  @Get()
  @Authenticated(Scope.ScansRead)
  @ApiOperation({ summary: "The database version and each feed's version, record count, last sync and last error" })
  async status() {
    const [version, feeds] = await Promise.all([this.reader.currentVersion(), this.reader.feeds()]);
    return {
      version: version ?? null,
      feeds: feeds.map((feed) => ({
        name: feed.name,
        kind: feed.kind,
        location: feed.location,
        version: feed.version,
        records: feed.recordCount,
        skipped: feed.skippedCount,
        skipped_sample: feed.skippedSample,
        last_sync_at: feed.lastSyncAt?.toISOString() ?? null,
        last_success_at: feed.lastSuccessAt?.toISOString() ?? null,
        last_changed_at: feed.lastChangedAt?.toISOString() ?? null,
        last_error: feed.lastError,
      })),
    };
  }

  @Post('sync')
  @HttpCode(202)
  @Authenticated(Scope.PlatformAdmin)
  @ApiOperation({ summary: 'Sync the feeds now (FeedSyncRequested); progress shows in GET /api/v1/vulndb' })
  async sync(@Body() body: SyncRequestDto, @CurrentPrincipal() principal: Principal) {
    const envelope = await this.dataSource.transaction((manager) =>
      this.outbox.add(manager, { type: Events.FeedSyncRequested, tenantId: principal.tenantId, payload: { feeds: body.feeds } }),
    );
    return { request_id: envelope.id, feeds: body.feeds ?? null };
  }
}
