import { assessHealth, ComponentHealth, SchedulerFacts } from './health-assessment';

const limits = { maxQueueDepth: 100, maxErrorRate: 0.5, minFinishedForErrorRate: 10, windowMinutes: 15 };
const running: SchedulerFacts = { instances: 2, workerCount: 3, queueDepth: 5, activeScans: 4, finishedRecently: 20, failedRecently: 2 };
const cacheUp: ComponentHealth = { name: 'blob-cache-worker', status: 'up', detail: 'ready' };

const statuses = (components: ComponentHealth[]) => Object.fromEntries(components.map((component) => [component.name, component.status]));

describe('assessHealth', () => {
  it('is healthy with a live scheduler, workers, a short queue and few failures', () => {
    const result = assessHealth({ scheduler: running, probed: [cacheUp] }, limits);
    expect(result.status).toBe('healthy');
    expect(result.reasons).toEqual([]);
    expect(result.errorRate).toBe(0.1);
    expect(statuses(result.components)).toEqual({
      gateway: 'up',
      database: 'up',
      'scan-scheduler': 'up',
      'scanner-worker': 'up',
      'blob-cache-worker': 'up',
    });
    expect(result.components.find((component) => component.name === 'scan-scheduler')?.detail).toBe('2 instances with a recent heartbeat');
  });

  it('is stopped without a scheduler heartbeat, and says nothing it cannot know about workers', () => {
    const result = assessHealth({ scheduler: { ...running, instances: 0, workerCount: null }, probed: [] }, limits);
    expect(result.status).toBe('stopped');
    expect(result.reasons).toEqual(['no scan-scheduler instance is running']);
    expect(result.components.find((component) => component.name === 'scanner-worker')).toEqual({
      name: 'scanner-worker',
      status: 'down',
      detail: 'unknown: no scheduler is running to count them',
    });
  });

  it('is stopped when no worker consumes the work queue, and still lists what else is wrong', () => {
    const down: ComponentHealth = { name: 'security-status', status: 'down', detail: 'readiness answered 503' };
    const result = assessHealth({ scheduler: { ...running, workerCount: 0, queueDepth: 101 }, probed: [down] }, limits);
    expect(result.status).toBe('stopped');
    expect(result.reasons).toEqual([
      'no scanner-worker consumes the scan work queue',
      '101 scans wait in the queue, more than HEALTH_MAX_QUEUE_DEPTH (100)',
      'security-status is down: readiness answered 503',
    ]);
  });

  it('is stopped when the database cannot be read', () => {
    const result = assessHealth({ databaseError: 'connect ECONNREFUSED 127.0.0.1:5432', probed: [cacheUp] }, limits);
    expect(result.status).toBe('stopped');
    expect(result.reasons).toEqual(['the database cannot be read: connect ECONNREFUSED 127.0.0.1:5432']);
    expect(statuses(result.components)).toMatchObject({ database: 'down', 'scan-scheduler': 'down', 'scanner-worker': 'down' });
  });

  it('is degraded when a probed service is down', () => {
    const result = assessHealth(
      { scheduler: running, probed: [{ name: 'blob-cache-worker', status: 'down', detail: 'no answer within 1000 ms' }] },
      limits,
    );
    expect(result.status).toBe('degraded');
    expect(result.reasons).toEqual(['blob-cache-worker is down: no answer within 1000 ms']);
  });

  it('is degraded when a probed service says it is degraded', () => {
    const detail = 'ready, but its event loop stalled 1503 ms in the last five seconds (over 1000 ms)';
    const result = assessHealth({ scheduler: running, probed: [{ name: 'security-status', status: 'degraded', detail }] }, limits);
    expect(result.status).toBe('degraded');
    expect(result.reasons).toEqual([`security-status is degraded: ${detail}`]);
    expect(statuses(result.components)).toMatchObject({ 'security-status': 'degraded' });
  });

  it('is degraded only above the queue limit, not at it', () => {
    expect(assessHealth({ scheduler: { ...running, queueDepth: 100 }, probed: [] }, limits).status).toBe('healthy');
    expect(assessHealth({ scheduler: { ...running, queueDepth: 101 }, probed: [] }, limits).status).toBe('degraded');
  });

  it('judges the error rate only with enough finished scans, and only above the limit', () => {
    const rate = (finishedRecently: number, failedRecently: number) =>
      assessHealth({ scheduler: { ...running, finishedRecently, failedRecently }, probed: [] }, limits);
    expect(rate(9, 9).status).toBe('healthy');
    expect(rate(9, 9).errorRate).toBe(1);
    expect(rate(10, 5).status).toBe('healthy');
    const failing = rate(10, 6);
    expect(failing.status).toBe('degraded');
    expect(failing.reasons).toEqual(['6 of 10 scans finished in the last 15 minutes failed, more than HEALTH_MAX_ERROR_RATE (0.5)']);
    expect(rate(0, 0).errorRate).toBeNull();
  });
});
