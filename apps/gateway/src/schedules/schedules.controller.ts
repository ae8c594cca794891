import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Commands, GatewayErrorCode } from '@vulnscan/contracts';
import { BatchReader } from '@vulnscan/scan-data';
import type { Principal } from '../auth/api-keys.service';
import { Authenticated, CurrentPrincipal } from '../auth/auth.guard';
import { presentBatchCreated } from '../batches/batch.presenter';
import { Scope } from '../entities';
import { OwnerCommands } from '../owner-commands.service';
import { PageQuery } from '../page-query.dto';
import { BatchCreatedResponse, CreateScheduleDto, UpdateScheduleDto } from './schedule.dto';
import { apiError } from '../errors';
import { presentSchedule } from './schedule.presenter';
import { requiredTarget, targetOf, timingOf } from './schedule-request';

/** Periodic scans of an image, a repository's tags or a registry's catalog; the scheduler owns and runs them. */
@ApiTags('schedules')
@Controller('api/v1/schedules')
export class SchedulesController {
  constructor(
    private readonly commands: OwnerCommands,
    private readonly reader: BatchReader,
  ) {}

  @Post()
  @Authenticated(Scope.ScansWrite)
  @ApiOperation({
    summary: 'Create a schedule: an image, a repository (its tags, filtered) or a registry catalog, at an interval or a cron time',
  })
  async create(@Body() body: CreateScheduleDto, @CurrentPrincipal() principal: Principal) {
    const target = requiredTarget(body);
    const timing = timingOf(body);
    const { id } = await this.commands.send(Commands.CreateSchedule, principal.tenantId, {
      tenantId: principal.tenantId,
      name: body.name,
      target,
      ...timing,
      requestedBy: principal.keyId,
    });
    return this.view(principal.tenantId, id);
  }

  @Get()
  @Authenticated(Scope.ScansRead)
  @ApiOperation({ summary: "This tenant's schedules, newest first" })
  async list(@Query() query: PageQuery, @CurrentPrincipal() principal: Principal) {
    const page = await this.reader.schedules(principal.tenantId, { cursor: query.cursor, limit: query.limit ?? 50 });
    const batches = await this.reader.batches(
      principal.tenantId,
      page.items.flatMap((schedule) => (schedule.lastBatchId ? [schedule.lastBatchId] : [])),
    );
    return {
      items: page.items.map((schedule) => presentSchedule(schedule, batches.get(schedule.lastBatchId ?? ''))),
      next_cursor: page.nextCursor,
    };
  }

  @Get(':id')
  @Authenticated(Scope.ScansRead)
  @ApiOperation({ summary: 'One schedule, with next_run_at, last_run_at and its last batch counted per status' })
  @ApiNotFoundResponse({ description: 'No such schedule in this tenant' })
  get(@Param('id', new ParseUUIDPipe({ version: undefined })) id: string, @CurrentPrincipal() principal: Principal) {
    return this.view(principal.tenantId, id);
  }

  @Patch(':id')
  @Authenticated(Scope.ScansWrite)
  @ApiOperation({ summary: 'Change a schedule; a new interval or cron (or enabling it again) plans its next run from now' })
  @ApiNotFoundResponse({ description: 'No such schedule in this tenant' })
  async update(
    @Param('id', new ParseUUIDPipe({ version: undefined })) id: string,
    @Body() body: UpdateScheduleDto,
    @CurrentPrincipal() principal: Principal,
  ) {
    const timing = timingOf(body);
    const target = targetOf(body);
    await this.commands.send(Commands.UpdateSchedule, principal.tenantId, {
      tenantId: principal.tenantId,
      id,
      ...(body.name !== undefined ? { name: body.name } : {}),
      ...(target ? { target } : {}),
      ...timing,
    });
    return this.view(principal.tenantId, id);
  }

  @Delete(':id')
  @HttpCode(204)
  @Authenticated(Scope.ScansWrite)
  @ApiOperation({ summary: 'Delete a schedule (its scans and batches stay)' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ description: 'No such schedule in this tenant' })
  async delete(
    @Param('id', new ParseUUIDPipe({ version: undefined })) id: string,
    @CurrentPrincipal() principal: Principal,
  ): Promise<void> {
    await this.commands.send(Commands.DeleteSchedule, principal.tenantId, { tenantId: principal.tenantId, id });
  }

  @Post(':id/trigger')
  @HttpCode(202)
  @Authenticated(Scope.ScansWrite)
  @ApiOperation({ summary: 'Run a schedule now (its timing is unchanged); answers with the batch of scans it queued' })
  @ApiAcceptedResponse({ type: BatchCreatedResponse })
  @ApiNotFoundResponse({ description: 'No such schedule in this tenant' })
  async trigger(@Param('id', new ParseUUIDPipe({ version: undefined })) id: string, @CurrentPrincipal() principal: Principal) {
    return presentBatchCreated(
      await this.commands.send(Commands.TriggerSchedule, principal.tenantId, { tenantId: principal.tenantId, id }),
    );
  }

  private async view(tenantId: string, id: string) {
    const schedule = await this.reader.schedule(tenantId, id);
    if (!schedule) throw apiError(GatewayErrorCode.NotFound, `schedule ${id} not found`);
    return presentSchedule(schedule, schedule.lastBatchId ? await this.reader.batch(tenantId, schedule.lastBatchId) : undefined);
  }
}
