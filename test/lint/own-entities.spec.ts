import { getMetadataArgsStorage } from 'typeorm';
import { cacheService } from '../../apps/blob-cache-worker/src/service';
import { gatewayService } from '../../apps/gateway/src/service';
import { schedulerService } from '../../apps/scan-scheduler/src/service';
import { workerService } from '../../apps/scanner-worker/src/service';
import { statusService } from '../../apps/security-status/src/service';

/** The schema of each registered entity, by its @Entity options. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
const schemasOf = (entities: Function[]) =>
  entities.map((entity) => getMetadataArgsStorage().tables.find((table) => table.target === entity)?.schema);

describe('each service registers only its own entities', () => {
  it.each([
    ['gateway', gatewayService],
    ['scan-scheduler', schedulerService],
    ['scanner-worker', workerService],
    ['blob-cache-worker', cacheService],
    ['security-status', statusService],
  ])('%s: every entity is a table of its own schema', (_name, service) => {
    expect(service.entities.length).toBeGreaterThan(0);
    expect(new Set(schemasOf(service.entities))).toEqual(new Set([service.schema]));
  });
});
