import { Test } from '@nestjs/testing';
import { TerminusModule } from '@nestjs/terminus';
import { EventLoopLagMonitor } from './event-loop-lag';
import { EVENT_LOOP_LAG, EVENT_LOOP_LAG_THRESHOLD_MS, HealthController, READINESS_CHECKS } from './health';

/** Holds the event loop the way a synchronous parse of a huge body would. */
function blockLoop(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // busy: nothing else in this process runs meanwhile
  }
}

/** Polls until the condition holds (the jest timeout bounds it). */
async function eventually(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** Short windows so a stall is forgotten soon after it ends. */
const shortWindows = () => new EventLoopLagMonitor({ windowMs: 100, windows: 3 });

describe('EventLoopLagMonitor', () => {
  let monitor: EventLoopLagMonitor;
  afterEach(() => monitor.stop());

  it('reports a loop blocked for 1.5 s as over a 1 s threshold, with the delay it saw, then recovers', async () => {
    const windows: number[] = [];
    monitor = new EventLoopLagMonitor({ windowMs: 100, windows: 3, onWindow: (max) => windows.push(max) }).start();
    await eventually(() => windows.length >= 2);
    expect(monitor.isOver(1000)).toBe(false);

    blockLoop(1500);
    await eventually(() => monitor.isOver(1000));
    expect(monitor.recentMaxSeconds()).toBeGreaterThanOrEqual(1.4);

    await eventually(() => !monitor.isOver(1000));
    expect(Math.max(...windows)).toBeGreaterThanOrEqual(1.4);
    expect(monitor.recentMaxSeconds()).toBeLessThan(1);
  });

  it('keeps a stall shorter than the threshold below it', async () => {
    monitor = shortWindows().start();
    blockLoop(300);
    await eventually(() => monitor.recentMaxSeconds() >= 0.25);
    expect(monitor.isOver(1000)).toBe(false);
    expect(monitor.isOver(200)).toBe(true);
  });
});

describe('HealthController and the event loop', () => {
  let monitor: EventLoopLagMonitor;
  let controller: HealthController;
  let databaseUp: boolean;

  beforeEach(async () => {
    monitor = shortWindows().start();
    databaseUp = true;
    const module = await Test.createTestingModule({
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [HealthController],
      providers: [
        {
          provide: READINESS_CHECKS,
          useValue: [
            {
              name: 'database',
              check: async () => {
                if (!databaseUp) throw new Error('connection refused');
              },
            },
          ],
        },
        { provide: EVENT_LOOP_LAG, useValue: monitor },
        { provide: EVENT_LOOP_LAG_THRESHOLD_MS, useValue: 1000 },
      ],
    }).compile();
    controller = module.get(HealthController);
  });
  afterEach(() => monitor.stop());

  it('answers ok, then degraded (without failing) while the loop has stalled over the threshold, then ok again', async () => {
    expect(await controller.live()).toMatchObject({ status: 'ok', info: { event_loop: { status: 'up', threshold_ms: 1000 } } });
    expect(await controller.ready()).toMatchObject({ status: 'ok', info: { database: { status: 'up' } } });

    blockLoop(1500);
    await eventually(() => monitor.isOver(1000));
    const live = await controller.live();
    expect(live).toMatchObject({ status: 'degraded', details: { event_loop: { status: 'degraded', threshold_ms: 1000 } } });
    expect(live.details.event_loop.recent_max_lag_ms).toBeGreaterThanOrEqual(1400);
    expect(await controller.ready()).toMatchObject({ status: 'degraded', info: { database: { status: 'up' } } });

    await eventually(() => !monitor.isOver(1000));
    expect(await controller.live()).toMatchObject({ status: 'ok' });
  });

  it('still fails readiness when a dependency is down, slow loop or not', async () => {
    databaseUp = false;
    await expect(controller.ready()).rejects.toMatchObject({ status: 503 });
    blockLoop(1500);
    await eventually(() => monitor.isOver(1000));
    await expect(controller.ready()).rejects.toMatchObject({ status: 503 });
  });
});
