import { GatewayErrorCode, REGISTRY_HOST_PATTERN, ScheduleTargetDto, ScheduleTargetKind } from '@vulnscan/contracts';
import { InvalidReferenceError, parseRepositoryName } from '@vulnscan/image-reference';
import { apiError } from '../errors';
import { normalizeImage } from '../scans/scan-request';
import { CreateScheduleDto } from './schedule.dto';

type TargetFields = Pick<CreateScheduleDto, 'image' | 'repository' | 'registry' | 'tag_filter'>;

/** The one target the body names, normalized; undefined when it names none (an update may). */
export function targetOf(body: TargetFields): ScheduleTargetDto | undefined {
  const given = (['image', 'repository', 'registry'] as const).filter((field) => body[field] !== undefined);
  if (given.length > 1)
    throw apiError(GatewayErrorCode.InvalidTarget, `give one of image, repository and registry, not ${given.join(' and ')}`, {
      fields: given,
    });
  const tagFilter = body.tag_filter !== undefined ? { tagFilter: body.tag_filter } : {};
  if (body.image !== undefined) {
    if (body.tag_filter !== undefined)
      throw apiError(GatewayErrorCode.InvalidTarget, 'tag_filter applies to repository and registry targets only', {
        fields: ['tag_filter'],
      });
    return { kind: ScheduleTargetKind.Image, image: normalizeImage(body.image) };
  }
  if (body.repository !== undefined) {
    try {
      return { kind: ScheduleTargetKind.Repository, ...parseRepositoryName(body.repository), ...tagFilter };
    } catch (error) {
      if (error instanceof InvalidReferenceError)
        throw apiError(GatewayErrorCode.InvalidReference, `repository: ${error.reason}`, { fields: ['repository'] });
      throw error;
    }
  }
  if (body.registry !== undefined) {
    if (!REGISTRY_HOST_PATTERN.test(body.registry))
      throw apiError(GatewayErrorCode.InvalidTarget, 'registry must be a host or host:port', { fields: ['registry'] });
    return { kind: ScheduleTargetKind.Catalog, registry: body.registry.toLowerCase(), ...tagFilter };
  }
  if (body.tag_filter !== undefined)
    throw apiError(GatewayErrorCode.InvalidTarget, 'tag_filter needs a repository or registry', { fields: ['tag_filter'] });
  return undefined;
}

/** The target of a new schedule: it must name one. */
export function requiredTarget(body: TargetFields): ScheduleTargetDto {
  const target = targetOf(body);
  if (!target)
    throw apiError(GatewayErrorCode.InvalidTarget, 'give one of image, repository and registry', {
      fields: ['image', 'repository', 'registry'],
    });
  return target;
}

/** The timing fields of the command: only those given (an update leaves the others), never both interval and cron. */
export function timingOf(body: { interval?: number; cron?: string; enabled?: boolean }): {
  intervalSeconds?: number;
  cron?: string;
  enabled?: boolean;
} {
  if (body.interval !== undefined && body.cron !== undefined)
    throw apiError(GatewayErrorCode.InvalidSchedule, 'give either interval or cron, not both', { fields: ['interval', 'cron'] });
  return {
    ...(body.interval !== undefined ? { intervalSeconds: body.interval } : {}),
    ...(body.cron !== undefined ? { cron: body.cron } : {}),
    ...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
  };
}
