import { Body, Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Commands, REGISTRY_HOST_PATTERN, ScheduleTargetDto, ScheduleTargetKind } from '@vulnscan/contracts';
import { ApiError } from '@vulnscan/platform';
import { InvalidReferenceError, parseRepositoryName } from '@vulnscan/registry';
import { BatchReader, BatchSummary, ScheduleRow } from '@vulnscan/scan-data';
import type { Principal } from '../auth/api-keys.service';
import { Authenticated, CurrentPrincipal } from '../auth/auth.guard';
import { presentBatch, presentBatchCreated } from '../batches/batch.presenter';
import { Scope } from '../entities';
import { OwnerCommands } from '../owner-commands.service';
import { PageQuery } from '../page-query.dto';
import { normalizeImage } from '../scans/scans.controller';
import { BatchCreatedResponse, CreateScheduleDto, UpdateScheduleDto } from './schedule.dto';

type TargetFields = Pick<CreateScheduleDto, 'image' | 'repository' | 'registry' | 'tag_filter'>;

/** The one target the body names, normalized; undefined when it names none (an update may). */
function targetOf(body: TargetFields): ScheduleTargetDto | undefined {
  const given = (['image', 'repository', 'registry'] as const).filter((field) => body[field] !== undefined);
  if (given.length > 1)
    throw new ApiError(400, 'invalid_target', `give one of image, repository and registry, not ${given.join(' and ')}`, { fields: given });
  const tagFilter = body.tag_filter !== undefined ? { tagFilter: body.tag_filter } : {};
  if (body.image !== undefined) {
    if (body.tag_filter !== undefined)
      throw new ApiError(400, 'invalid_target', 'tag_filter applies to repository and registry targets only', { fields: ['tag_filter'] });
    return { kind: ScheduleTargetKind.Image, image: normalizeImage(body.image) };
  }
  if (body.repository !== undefined) {
    try {
      return { kind: ScheduleTargetKind.Repository, ...parseRepositoryName(body.repository), ...tagFilter };
    } catch (error) {
      if (error instanceof InvalidReferenceError)
        throw new ApiError(400, 'invalid_reference', `repository: ${error.reason}`, { fields: ['repository'] });
      throw error;
    }
  }
  if (body.registry !== undefined) {
    if (!REGISTRY_HOST_PATTERN.test(body.registry))
      throw new ApiError(400, 'invalid_target', 'registry must be a host or host:port', { fields: ['registry'] });
    return { kind: ScheduleTargetKind.Catalog, registry: body.registry.toLowerCase(), ...tagFilter };
  }
  if (body.tag_filter !== undefined)
    throw new ApiError(400, 'invalid_target', 'tag_filter needs a repository or registry', { fields: ['tag_filter'] });
  return undefined;
}

function presentTarget(schedule: ScheduleRow) {
  switch (schedule.targetKind) {
    case 'image':
      return { type: 'image', image: schedule.image };
    case 'repository':
      return { type: 'repository', repository: `${schedule.registry}/${schedule.repository}`, tag_filter: schedule.tagFilter };
    case 'catalog':
      return { type: 'catalog', registry: schedule.registry, tag_filter: schedule.tagFilter };
  }
}

const presentSchedule = (schedule: ScheduleRow, lastBatch: BatchSummary | undefined) => ({
  id: schedule.id,
  name: schedule.name,
  target: presentTarget(schedule),
  interval_seconds: schedule.intervalSeconds,
  cron: schedule.cron,
  enabled: schedule.enabled,
  next_run_at: schedule.enabled ? schedule.nextRunAt.toISOString() : null,
  last_run_at: schedule.lastRunAt?.toISOString() ?? null,
  last_batch: lastBatch ? presentBatch(lastBatch) : null,
  last_error: schedule.lastError,
  created_at: schedule.createdAt.toISOString(),
  updated_at: schedule.updatedAt.toISOString(),
});

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
    const target = targetOf(body);
    if (!target)
      throw new ApiError(400, 'invalid_target', 'give one of image, repository and registry', {
        fields: ['image', 'repository', 'registry'],
      });
    if (body.interval !== undefined && body.cron !== undefined)
      throw new ApiError(400, 'invalid_schedule', 'give either interval or cron, not both', { fields: ['interval', 'cron'] });
    const { id } = await this.commands.send<{ id: string }>(Commands.CreateSchedule, principal.tenantId, {
      tenantId: principal.tenantId,
      name: body.name,
      target,
      ...this.timing(body),
      requestedBy: principal.keyId,
    });
    return this.view(principal.tenantId, id);
  }

  @Get()
  @Authenticated(Scope.ScansRead)
  @ApiOperation({ summary: "This tenant's schedules, newest first" })
  async list(@Query() query: PageQuery, @CurrentPrincipal() principal: Principal) {
    if (query.cursor !== undefined && !/^[0-9a-f-]{36}$/i.test(query.cursor))
      throw new ApiError(400, 'invalid_cursor', 'cursor must be the next_cursor of the previous page');
    const page = await this.reader.schedules(principal.tenantId, { after: query.cursor, limit: query.limit ?? 50 });
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
    if (body.interval !== undefined && body.cron !== undefined)
      throw new ApiError(400, 'invalid_schedule', 'give either interval or cron, not both', { fields: ['interval', 'cron'] });
    const target = targetOf(body);
    await this.commands.send(Commands.UpdateSchedule, principal.tenantId, {
      tenantId: principal.tenantId,
      id,
      ...(body.name !== undefined ? { name: body.name } : {}),
      ...(target ? { target } : {}),
      ...this.timing(body),
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

  private timing(body: { interval?: number; cron?: string; enabled?: boolean }) {
    return {
      ...(body.interval !== undefined ? { intervalSeconds: body.interval } : {}),
      ...(body.cron !== undefined ? { cron: body.cron } : {}),
      ...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
    };
  }

  private async view(tenantId: string, id: string) {
    const schedule = await this.reader.schedule(tenantId, id);
    if (!schedule) throw new ApiError(404, 'not_found', `schedule ${id} not found`);
    return presentSchedule(schedule, schedule.lastBatchId ? await this.reader.batch(tenantId, schedule.lastBatchId) : undefined);
  }
}
