import { defaultAnalyzers } from '../analyzers';
import { analyzeImage } from '../layers/analyze-image';
import { LayerChannel } from './layer-channel';
import type { AnalysisOutcome, AnalysisTask, SerializedError } from './protocol';

/**
 * The body of one analysis task, run by the pool in a worker thread: the whole walk of an image
 * (decompression, tar parsing, the filesystem view, symlinks and every analyzer) happens here, so
 * nothing an image chooses can hold up the worker's event loop, and the main thread can stop it by
 * terminating the thread.
 */
export default async function analyzeInThread(task: AnalysisTask): Promise<AnalysisOutcome> {
  const channel = new LayerChannel(task.port);
  try {
    const layers = task.layers.map((layer, index) => ({ ...layer, open: () => channel.open(index) }));
    const analysis = await analyzeImage(layers, defaultAnalyzers(), {
      limits: task.limits,
      analyzerStallMs: task.analyzerStallMs,
      onLayer: async (index, total) => {
        await channel.layerDone(index);
        if (index + 1 === total) channel.post({ type: 'finishing' });
      },
      onParse: (event) =>
        channel.post(event.phase === 'start' ? { type: 'parse-start', ...withoutPhase(event) } : { type: 'parse-end', id: event.id }),
    });
    return { ok: true, packages: analysis.packages, osCandidates: analysis.osCandidates, warnings: analysis.warnings };
  } catch (err) {
    return { ok: false, error: serialize(err) };
  } finally {
    channel.close();
  }
}

function withoutPhase<T extends { phase: unknown }>(event: T): Omit<T, 'phase'> {
  const { phase: _phase, ...rest } = event;
  return rest;
}

function serialize(err: unknown): SerializedError {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err) };
  const { code, limit, subject } = err as Error & Partial<Record<'code' | 'limit' | 'subject', unknown>>;
  return {
    name: err.name,
    message: err.message,
    ...(typeof code === 'string' ? { code } : {}),
    ...(typeof limit === 'string' ? { limit } : {}),
    ...(typeof subject === 'string' ? { subject } : {}),
  };
}
