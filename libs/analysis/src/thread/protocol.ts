import type { MessagePort } from 'node:worker_threads';
import type { OsInfo, Package } from '../model';
import type { AnalysisLimits } from '../layers/limits';

/**
 * What the worker's main thread and an analysis thread say to each other over the task's port. The
 * main thread owns the network: the thread asks for a layer, the main thread streams its verified
 * bytes over, a few chunks at a time, and watches the clock while the thread walks and parses them.
 */

/** Main thread → analysis thread. */
export type ToThread =
  | { type: 'chunk'; layer: number; data: Uint8Array }
  | { type: 'end'; layer: number }
  /** The main thread has recorded a layer's progress and checked for a cancel: go on. */
  | { type: 'continue'; layer: number };

/** Analysis thread → main thread. */
export type FromThread =
  | { type: 'open'; layer: number }
  /** One more chunk of `layer` was taken; the main thread may send another. */
  | { type: 'ack'; layer: number }
  | { type: 'layer-done'; layer: number }
  | { type: 'parse-start'; id: number; path: string; analyzer: string; layer: number }
  | { type: 'parse-end'; id: number }
  /** Every layer is walked: what is left is settling the parses and checking the final view. */
  | { type: 'finishing' };

export interface AnalysisTask {
  port: MessagePort;
  layers: { digest: string; mediaType: string }[];
  limits?: Partial<AnalysisLimits>;
  analyzerStallMs?: number;
}

/** An error as it crosses the thread boundary: structured cloning keeps only an Error's message. */
export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  limit?: string;
  subject?: string;
}

export type AnalysisOutcome =
  { ok: true; packages: Package[]; osCandidates: OsInfo[]; warnings: string[] } | { ok: false; error: SerializedError };
