import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { ScanError, isScanErrorCode } from '@vulnscan/contracts';
import type { OsInfo, Package } from '../model';
import type { ImageLayer } from '../layers/analyze-image';
import { LayerLimitError, type AnalysisLimits, type LimitName, type ThreadBudgets } from '../layers/limits';
import type { AnalysisOutcome, AnalysisTask, FromThread, SerializedError, ToThread } from './protocol';

export type { ThreadBudgets } from '../layers/limits';

export interface AnalysisPoolOptions extends ThreadBudgets {
  /** Analyses at once: one thread each. */
  threads: number;
  /** How long an idle thread is kept for the next image. */
  idleTimeoutMs?: number;
}

export interface ThreadAnalysisOptions {
  limits?: Partial<AnalysisLimits>;
  /** Awaited after each layer, between layers: where the caller reports progress and checks for a cancel. */
  onLayer?(index: number, total: number): Promise<void>;
  signal?: AbortSignal;
  analyzerStallMs?: number;
}

export interface ThreadAnalysis {
  packages: Package[];
  osCandidates: OsInfo[];
  warnings: string[];
}

/** Chunks of a layer in flight to the thread before the main thread waits for it to take them. */
const CHUNK_WINDOW = 8;

/**
 * Runs image analyses in worker threads. The main thread streams each layer's verified bytes to
 * the thread that walks it and keeps the clock: a parse that runs over its file budget, a layer over
 * its layer budget, or a thread over its heap ends that analysis by terminating its thread (the only
 * way to stop a synchronous parse, such as a SQLite query). A cancel does the same.
 */
export class AnalysisPool {
  private readonly pool: Piscina<AnalysisTask, AnalysisOutcome>;

  constructor(private readonly options: AnalysisPoolOptions) {
    this.pool = new Piscina({
      ...threadEntry(),
      minThreads: 0,
      maxThreads: options.threads,
      idleTimeout: options.idleTimeoutMs ?? 60_000,
      resourceLimits: { maxOldGenerationSizeMb: options.maxHeapMb },
    });
  }

  async analyze(layers: ImageLayer[], options: ThreadAnalysisOptions = {}): Promise<ThreadAnalysis> {
    options.signal?.throwIfAborted();
    const { port1, port2 } = new MessageChannel();
    const run = new AnalysisRun(port1, layers, this.options, options);
    const task: AnalysisTask = {
      port: port2,
      layers: layers.map(({ digest, mediaType }) => ({ digest, mediaType })),
      limits: options.limits,
      analyzerStallMs: options.analyzerStallMs,
    };
    try {
      const outcome = await this.pool.run(task, { transferList: [port2], signal: run.abort.signal });
      if (!outcome.ok) throw revive(outcome.error);
      return { packages: outcome.packages, osCandidates: outcome.osCandidates, warnings: outcome.warnings };
    } catch (err) {
      if (run.abort.signal.aborted) throw run.abort.signal.reason;
      if ((err as { code?: unknown }).code === 'ERR_WORKER_OUT_OF_MEMORY') throw budgetExceeded('maxHeapMb', 'the image analysis');
      throw err;
    } finally {
      run.dispose();
    }
  }

  async close(): Promise<void> {
    await this.pool.destroy();
  }
}

/** The main thread's side of one analysis: feeding layers, relaying progress, watching budgets. */
class AnalysisRun {
  readonly abort = new AbortController();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly acked = new Map<number, () => void>();
  /** Blobs being streamed: destroyed on failure, so a stalled registry connection is let go at once. */
  private readonly blobs = new Set<Readable>();
  private readonly onCancel = (): void => this.fail(this.options.signal?.reason);

  constructor(
    private readonly port: MessagePort,
    private readonly layers: ImageLayer[],
    private readonly budgets: ThreadBudgets,
    private readonly options: ThreadAnalysisOptions,
  ) {
    port.on('message', (message: FromThread) => this.receive(message));
    options.signal?.addEventListener('abort', this.onCancel, { once: true });
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.options.signal?.removeEventListener('abort', this.onCancel);
    this.port.close();
    // A pump still waiting for room, or a blob still open, must see the end too. The task has
    // settled, so piscina no longer listens to this signal: aborting it now terminates nothing.
    this.fail(new Error('analysis finished'));
  }

  private fail(reason: unknown): void {
    if (!this.abort.signal.aborted) this.abort.abort(reason);
    for (const wake of this.acked.values()) wake();
    for (const blob of this.blobs) blob.destroy();
  }

  private receive(message: FromThread): void {
    switch (message.type) {
      case 'open':
        this.startClock(`layer ${message.layer}`, 'layerTimeoutMs', this.label(message.layer));
        void this.pump(message.layer).catch((err: unknown) => this.fail(err));
        return;
      case 'ack':
        this.acked.get(message.layer)?.();
        return;
      case 'layer-done':
        this.stopClock(`layer ${message.layer}`);
        void this.afterLayer(message.layer);
        return;
      case 'finishing':
        this.startClock('finish', 'layerTimeoutMs', 'the final view of the image (symlinks, parses still running)');
        return;
      case 'parse-start':
        this.startClock(
          `parse ${message.id}`,
          'fileTimeoutMs',
          `${message.path} in ${this.label(message.layer)}: the ${message.analyzer} analyzer's parse`,
        );
        return;
      case 'parse-end':
        this.stopClock(`parse ${message.id}`);
        return;
    }
  }

  private async afterLayer(layer: number): Promise<void> {
    try {
      await this.options.onLayer?.(layer, this.layers.length);
      this.send({ type: 'continue', layer });
    } catch (err) {
      this.fail(err);
    }
  }

  /** Streams one layer to the thread, never more than CHUNK_WINDOW chunks ahead of what it has taken. */
  private async pump(layer: number): Promise<void> {
    const blob = await this.layers[layer].open();
    const { signal } = this.abort;
    this.blobs.add(blob);
    if (signal.aborted) blob.destroy();
    let inFlight = 0;
    let wake: (() => void) | undefined;
    this.acked.set(layer, () => {
      inFlight = Math.max(0, inFlight - 1);
      wake?.();
    });
    try {
      for await (const chunk of blob as AsyncIterable<Buffer>) {
        if (signal.aborted) return;
        // A copy the thread can own: a chunk may be a view into a buffer pool shared with other streams.
        const data = new Uint8Array(chunk);
        this.send({ type: 'chunk', layer, data }, [data.buffer]);
        inFlight++;
        while (inFlight >= CHUNK_WINDOW && !signal.aborted) await new Promise<void>((resolve) => (wake = resolve));
      }
      if (!signal.aborted) this.send({ type: 'end', layer });
    } finally {
      this.acked.delete(layer);
      this.blobs.delete(blob);
      blob.destroy();
    }
  }

  private send(message: ToThread, transfer: ArrayBuffer[] = []): void {
    if (!this.abort.signal.aborted) this.port.postMessage(message, transfer);
  }

  private startClock(key: string, budget: 'fileTimeoutMs' | 'layerTimeoutMs', subject: string): void {
    const timer = setTimeout(() => this.fail(budgetExceeded(budget, subject)), this.budgets[budget]);
    timer.unref();
    this.timers.set(key, timer);
  }

  private stopClock(key: string): void {
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
  }

  private label(layer: number): string {
    return `layer ${layer} (${this.layers[layer]?.digest ?? 'unknown'})`;
  }
}

function budgetExceeded(budget: keyof ThreadBudgets, subject: string): ScanError {
  return new LayerLimitError(budget, subject);
}

/** The thread's error as the scan should see it: a ScanError keeps its code and the limit it names. */
function revive(error: SerializedError): Error {
  if (!error.code || !isScanErrorCode(error.code)) return Object.assign(new Error(error.message), { name: error.name });
  if (error.limit !== undefined && error.subject !== undefined) return new LayerLimitError(error.limit as LimitName, error.subject);
  return new ScanError(error.code, error.message);
}

/**
 * The thread's module: the compiled JavaScript beside this file, or (when the library runs from its
 * TypeScript sources, as in unit tests) a loader that compiles it on the fly.
 */
function threadEntry(): { filename: string } {
  const compiled = join(__dirname, 'analysis-thread.js');
  return { filename: existsSync(compiled) ? compiled : join(__dirname, 'analysis-thread.dev.js') };
}
