import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Commands, GatewayErrorCode } from '@vulnscan/contracts';
import { AmqpRequester, CommandFailedError, DeadLetters, deadLetterReplayRoutingKey, RequestTimeoutError } from '@vulnscan/messaging';
import { Authenticated } from '../auth/auth.guard';
import { Scope } from '../entities';
import { PageQuery } from '../page-query.dto';
import { apiError, requestFailureToApiError } from '../errors';

/** Each service's schema: its dead letters live in `<schema>.dead_letters`, read here, replayed by the owner. */
const SERVICE_SCHEMAS: Readonly<Record<string, string>> = {
  gateway: 'gateway',
  'scan-scheduler': 'scheduler',
  'scanner-worker': 'worker',
  'blob-cache-worker': 'cache',
  'security-status': 'status',
};
const SERVICE_OF_SCHEMA = Object.fromEntries(Object.entries(SERVICE_SCHEMAS).map(([service, schema]) => [schema, service]));

@ApiTags('admin')
@Controller('api/v1/admin/dead-letters')
@Authenticated(Scope.PlatformAdmin)
export class DeadLettersController {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly requester: AmqpRequester,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Messages every service gave up on, newest first' })
  async list(@Query() query: PageQuery) {
    const page = await DeadLetters.readAll(this.dataSource, await this.migratedSchemas(), {
      limit: query.limit ?? 50,
      cursor: query.cursor,
    });
    return {
      items: page.items.map((letter) => ({
        id: letter.id,
        service: SERVICE_OF_SCHEMA[letter.schema],
        queue: letter.sourceQueue,
        routing_key: letter.routingKey,
        message_id: letter.messageId,
        reason: letter.reason,
        error: letter.error,
        attempts: letter.attempts,
        dead_lettered_at: letter.deadLetteredAt.toISOString(),
        replayed_at: letter.replayedAt?.toISOString() ?? null,
        body: letter.body,
      })),
      next_cursor: page.nextCursor ?? null,
    };
  }

  @Post(':id/replay')
  @HttpCode(202)
  @ApiOperation({ summary: 'Send a dead-lettered message back to the queue it failed in (the owning service does it)' })
  async replay(@Param('id', new ParseUUIDPipe({ version: undefined })) id: string) {
    const service = await this.owner(id);
    if (!service) throw apiError(GatewayErrorCode.DeadLetterNotFound, `Dead letter ${id} not found.`);
    try {
      await this.requester.request(Commands.ReplayDeadLetter, { deadLetterId: id }, { routingKey: deadLetterReplayRoutingKey(service) });
    } catch (error) {
      if (error instanceof CommandFailedError || error instanceof RequestTimeoutError) {
        throw requestFailureToApiError(error, {
          code: GatewayErrorCode.ServiceUnavailable,
          detail: `${service} did not answer in time; try again.`,
        });
      }
      throw error;
    }
    return { id, service, replayed: true };
  }

  /** Services that have not run their migrations yet (not deployed here) have no table to read. */
  private async migratedSchemas(): Promise<string[]> {
    const rows = (await this.dataSource.query(
      `SELECT table_schema AS schema FROM information_schema.tables WHERE table_name = 'dead_letters' AND table_schema = ANY($1)`,
      [Object.values(SERVICE_SCHEMAS)],
    )) as { schema: string }[];
    return rows.map((row) => row.schema).sort();
  }

  private async owner(id: string): Promise<string | undefined> {
    const union = (await this.migratedSchemas())
      .map((schema) => `SELECT '${schema}' AS schema FROM ${schema}.dead_letters WHERE id = $1`)
      .join(' UNION ALL ');
    const [row] = (await this.dataSource.query(union, [id])) as { schema: string }[];
    return row ? SERVICE_OF_SCHEMA[row.schema] : undefined;
  }
}
