import { performance } from 'node:perf_hooks';
import { gauge, histogram } from './metrics';

export interface EventLoopLagOptions {
  /** One window's largest delay is kept (and observed once) when the window ends. */
  windowMs: number;
  /** Finished windows remembered: a stall still counts until this many windows have passed since. */
  windows: number;
  /** How often the loop is sampled; finer catches shorter stalls. */
  resolutionMs?: number;
  /** Told each finished window's largest delay, in seconds (the metrics of the process monitor). */
  onWindow?: (maxSeconds: number, monitor: EventLoopLagMonitor) => void;
}

/**
 * How late the event loop has been lately. A process that blocks its loop (a huge JSON body, a
 * runaway regex, synchronous work on a big layer) answers nothing while it does, so the delay is
 * measured by a timer that notices afterwards: each tick's lateness is a sample, and each window
 * keeps its largest. One timer both samples and closes windows (perf_hooks' monitorEventLoopDelay,
 * reset per window, drops the sample that spans a stall when the reset runs first). The timer is
 * unref'd so it never keeps a process alive.
 */
export class EventLoopLagMonitor {
  private readonly resolutionMs: number;
  /** Largest delay of each finished window, in seconds, oldest first. */
  private readonly finished: number[] = [];
  private windowMax = 0;
  private windowStart = 0;
  private lastTick = 0;
  private timer?: NodeJS.Timeout;

  constructor(private readonly options: EventLoopLagOptions) {
    this.resolutionMs = options.resolutionMs ?? 20;
  }

  start(): this {
    if (this.timer) return this;
    this.lastTick = this.windowStart = performance.now();
    this.timer = setInterval(() => this.tick(), this.resolutionMs).unref();
    return this;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * The largest delay in the remembered windows and the current one, in seconds. The current one
   * counts so that a stall shows as soon as the loop runs again, not only when its window ends.
   */
  recentMaxSeconds(): number {
    return Math.max(this.windowMax, ...this.finished);
  }

  /** True while a delay over the threshold was seen in the remembered windows. */
  isOver(thresholdMs: number): boolean {
    return this.recentMaxSeconds() * 1000 > thresholdMs;
  }

  private tick(): void {
    const now = performance.now();
    const delayMs = Math.max(0, now - this.lastTick - this.resolutionMs);
    this.lastTick = now;
    this.windowMax = Math.max(this.windowMax, delayMs / 1000);
    if (now - this.windowStart >= this.options.windowMs) this.endWindow(now);
  }

  private endWindow(now: number): void {
    const max = this.windowMax;
    this.finished.push(max);
    if (this.finished.length > this.options.windows) this.finished.shift();
    this.windowMax = 0;
    this.windowStart = now;
    this.options.onWindow?.(max, this);
  }
}

/** Windows of the process monitor: a one-second window, a stall remembered for five of them. */
export const EVENT_LOOP_WINDOW_MS = 1000;
export const EVENT_LOOP_WINDOWS = 5;

const lagHistogram = () =>
  histogram(
    'vulnscan_event_loop_lag_seconds',
    'Largest event-loop delay in each one-second window',
    [],
    [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  );
const recentLagGauge = () =>
  gauge('vulnscan_event_loop_lag_recent_max_seconds', 'Largest event-loop delay in the last five seconds (what health judges)', []);

let processMonitor: EventLoopLagMonitor | undefined;

/**
 * The one event-loop monitor of this process, started on first use and feeding
 * vulnscan_event_loop_lag_seconds and vulnscan_event_loop_lag_recent_max_seconds. One per process
 * whatever number of Nest apps it holds, so no window is counted twice.
 */
export function processEventLoopLag(): EventLoopLagMonitor {
  if (!processMonitor) {
    const observed = lagHistogram();
    const recent = recentLagGauge();
    processMonitor = new EventLoopLagMonitor({
      windowMs: EVENT_LOOP_WINDOW_MS,
      windows: EVENT_LOOP_WINDOWS,
      onWindow: (max, monitor) => {
        observed.observe(max);
        recent.set(monitor.recentMaxSeconds());
      },
    }).start();
  }
  return processMonitor;
}
