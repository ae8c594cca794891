import { PassThrough, Readable } from 'node:stream';
import type { AnalyzedFile, AnalyzerResult, FileAnalyzer, OsInfo, Package } from '../model';
import { ImageView, ViewEntry } from './image-view';
import { ImageBudget } from './budget';
import { AnalysisLimits, analysisLimits, errorMessage, limitExceeded } from './limits';
import { LayerEntry, walkLayer } from './tar-walk';
import { tee } from './tee';
import { WarningLog } from './warnings';

/** One layer of an image, opened only when its turn comes. */
export interface ImageLayer {
  digest: string;
  mediaType: string;
  open(): Promise<Readable>;
}

export interface AnalyzeImageOptions {
  /** Per-layer limits and image-wide budgets; unset ones keep their defaults. */
  limits?: Partial<AnalysisLimits>;
  /** Awaited after each layer: where the worker reports progress and checks cancellation. */
  onLayer?(index: number, total: number): Promise<void>;
  signal?: AbortSignal;
  /** How long an analyzer may leave its stream unread before it is cut off; 30 s by default. */
  analyzerStallMs?: number;
  /**
   * Told when an analyzer has been handed all of a file's bytes and is left parsing them, and again
   * when it settles: where a caller that runs the analysis in a thread starts and stops its clock.
   */
  onParse?(event: ParseEvent): void;
}

/** One analyzer's parse of one file: `start` once the file has streamed by, `end` once it settled. */
export type ParseEvent = { phase: 'start'; id: number; path: string; analyzer: string; layer: number } | { phase: 'end'; id: number };

export interface ImageAnalysis {
  /** Packages read from files that survive in the final view, each with the digest of its layer. */
  packages: Package[];
  /** Every OS a surviving release file describes; choosing one is `pickOs`'s job. */
  osCandidates: OsInfo[];
  warnings: string[];
  view: ImageView;
}

/** What one analyzer made of one file's bytes; kept only if those bytes survive in the final view. */
interface Finding {
  analyzer: FileAnalyzer;
  /** The view's content serial of the bytes analyzed. */
  content: number;
  path: string;
  result: Promise<AnalyzerResult | undefined>;
}

/**
 * Walks the layers in order, each streamed once, builds the final view and offers every regular
 * file to the analyzers while it streams by. Limits, budgets and corrupt layers fail the call with
 * a ScanError; an analyzer's failure is only a warning. The budgets make the whole analysis
 * bounded: entries and path bytes across all layers (what the view holds in memory) and symlink
 * resolution steps across all resolutions of the image.
 */
export async function analyzeImage(
  layers: ImageLayer[],
  analyzers: FileAnalyzer[],
  options: AnalyzeImageOptions = {},
): Promise<ImageAnalysis> {
  const { signal } = options;
  const limits = analysisLimits(options.limits);
  const budget = new ImageBudget(limits);
  const log = new WarningLog();
  const view = new ImageView({ maxSymlinkDepth: limits.maxSymlinkDepth, warn: log.add, meter: budget });
  const findings: Finding[] = [];
  // Which analyzers saw the bytes of each content serial, to know what a hardlink can reuse.
  const seenBy = new Map<number, Set<FileAnalyzer>>();
  const stallMs = options.analyzerStallMs ?? 30_000;
  const accepting = (path: string, size: number, mode: number): FileAnalyzer[] =>
    analyzers.filter((analyzer) => {
      try {
        return analyzer.accepts(path, size, mode);
      } catch (err) {
        log.add(`analyzer ${analyzer.name} failed to decide on ${path}: ${errorMessage(err)}`);
        return false;
      }
    });

  let parses = 0;
  const offer = async (entry: LayerEntry, content: number, layer: number): Promise<void> => {
    const chosen = accepting(entry.path, entry.size, entry.mode);
    if (chosen.length === 0 || !entry.content) return;
    seenBy.set(content, new Set(chosen));
    const branches = chosen.map((analyzer) => {
      const stream = new PassThrough();
      let cutOff = (): void => undefined;
      // A cut-off analyzer's result is not waited for: it may never settle.
      const abandoned = new Promise<undefined>((resolve) => (cutOff = () => resolve(undefined)));
      const result = Promise.race([
        run(analyzer, { path: entry.path, size: entry.size, mode: entry.mode, content: stream }, log.add),
        abandoned,
      ]);
      findings.push({ analyzer, content, path: entry.path, result });
      return { analyzer, stream, done: result, cutOff };
    });
    await tee(entry.content, branches, {
      stallMs,
      signal,
      onStall: (branch) => {
        branch.cutOff();
        log.add(`analyzer ${branch.analyzer.name} stopped reading ${entry.path} for ${stallMs} ms; cut off, its result dropped`);
      },
    });
    if (!options.onParse) return;
    const onParse = options.onParse;
    for (const branch of branches) {
      const id = ++parses;
      onParse({ phase: 'start', id, path: entry.path, analyzer: branch.analyzer.name, layer });
      void branch.done.finally(() => onParse({ phase: 'end', id }));
    }
  };

  const checkHardlink = (entry: LayerEntry, content: number, size: number): void => {
    for (const analyzer of accepting(entry.path, size, entry.mode)) {
      if (seenBy.get(content)?.has(analyzer)) continue;
      // The bytes streamed by earlier under another name; a single pass cannot replay them.
      log.add(`hardlink ${entry.path} -> ${entry.linkTarget}: ${analyzer.name} wants it but did not see the linked file; not analyzed`);
    }
  };

  for (const [index, layer] of layers.entries()) {
    signal?.throwIfAborted();
    const label = `layer ${index} (${layer.digest})`;
    const blob = await layer.open();
    const sizeBefore = view.size;
    await walkLayer(blob, layer.mediaType, { label, limits, warn: log.add, signal, budget }, async (entry) => {
      const sizeBeforeEntry = view.size;
      const outcome = view.apply(entry, index);
      // The entry itself was paid for by the walk; directories its path implied are paid for here.
      budget.spendImpliedDirectories(label, view.size - sizeBeforeEntry - 1);
      // Directories a layer only implies (`a/b/c` without `a/`) take memory too, so they count.
      if (view.size - sizeBefore > limits.maxEntries)
        throw limitExceeded('maxEntries', label, `more than ${limits.maxEntries} paths, implied directories included`);
      if (outcome.effect !== 'added') return;
      if (entry.type === 'file') await offer(entry, outcome.content, index);
      else if (entry.type === 'hardlink') checkHardlink(entry, outcome.content, view.get(entry.path)?.size ?? 0);
    });
    await options.onLayer?.(index, layers.length);
  }
  view.checkSymlinks();

  const packages: Package[] = [];
  const osCandidates: OsInfo[] = [];
  const results = await settled(findings, stallMs, signal, log.add);
  findings.forEach((finding, i) => {
    const result = results[i];
    const holder = result && survivor(view, finding);
    if (!result || !holder) return;
    const digest = layers[holder.layer].digest;
    const rename = (path: string): string => (path === finding.path ? holder.path : path);
    for (const pkg of result.packages ?? []) packages.push({ ...pkg, path: rename(pkg.path), layerDigest: digest });
    if (result.os) osCandidates.push({ ...result.os, path: rename(result.os.path) });
    for (const warning of result.warnings ?? []) log.add(`${finding.analyzer.name} on ${holder.path}: ${warning}`);
  });
  return { packages, osCandidates, warnings: log.list(), view };
}

/**
 * Where the analyzed bytes live in the final view: the file itself if no later entry replaced or
 * deleted it, else a surviving hardlink to the same bytes that the analyzer also wants.
 */
function survivor(view: ImageView, finding: Finding): ViewEntry | undefined {
  const holders = view.holdersOf(finding.content, finding.path);
  const own = holders.find((entry) => entry.path === finding.path && entry.type === 'file');
  if (own) return own;
  return holders.find((entry) => {
    try {
      return finding.analyzer.accepts(entry.path, entry.size, entry.mode);
    } catch {
      return false;
    }
  });
}

async function run(analyzer: FileAnalyzer, file: AnalyzedFile, warn: (message: string) => void): Promise<AnalyzerResult | undefined> {
  try {
    return await analyzer.analyze(file);
  } catch (err) {
    warn(`analyzer ${analyzer.name} failed on ${file.path}: ${errorMessage(err)}`);
    return undefined;
  }
}

/**
 * Every finding's result. Analyzers that are still busy once the walk is over get `graceMs` more:
 * one that never settles loses its result (with a warning) instead of hanging the scan; a cancel
 * ends the wait at once.
 */
async function settled(
  findings: Finding[],
  graceMs: number,
  signal: AbortSignal | undefined,
  warn: (message: string) => void,
): Promise<(AnalyzerResult | undefined)[]> {
  signal?.throwIfAborted();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), graceMs)));
  let onAbort = (): void => undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  const each = findings.map(async (finding) => {
    const outcome = await Promise.race([finding.result, late]);
    if (outcome !== 'late') return outcome;
    warn(`analyzer ${finding.analyzer.name} did not finish ${finding.path} within ${graceMs} ms of the walk's end; its result dropped`);
    return undefined;
  });
  try {
    return await Promise.race([Promise.all(each), aborted]);
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  }
}
