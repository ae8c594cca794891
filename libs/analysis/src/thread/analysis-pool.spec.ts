import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { ScanErrorCode } from '@vulnscan/contracts';
import { fixturesDir } from '@vulnscan/testing';
import { defaultAnalyzers } from '../analyzers';
import { analyzeImage, type ImageLayer } from '../layers/analyze-image';
import { LayerLimitError } from '../layers/limits';
import { dockerSaveLayers } from '../layers/test-support/docker-save';
import { gzipLayer, MEDIA, tarOf } from '../layers/test-support/build-layer';
import { AnalysisPool, type AnalysisPoolOptions } from './analysis-pool';

const generous: AnalysisPoolOptions = { threads: 1, fileTimeoutMs: 60_000, layerTimeoutMs: 120_000, maxHeapMb: 256 };

/** A dpkg status file of `count` packages: big enough that parsing it takes a while. */
function dpkgStatus(count: number): string {
  const stanzas: string[] = [];
  for (let i = 0; i < count; i++) {
    stanzas.push(`Package: pkg${i}\nStatus: install ok installed\nVersion: 1.${i}-1\nArchitecture: amd64\nDescription: package ${i}\n`);
  }
  return stanzas.join('\n');
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (err: unknown) => err,
  );
}

describe('AnalysisPool', () => {
  let pool: AnalysisPool | undefined;
  afterEach(async () => {
    await pool?.close();
    pool = undefined;
  });

  it('finds in a thread exactly what the in-process walk finds (alpine 3.10)', async () => {
    const archive = path.join(fixturesDir(), 'images', 'alpine-310.docker.tar.gz');
    const inProcess = await analyzeImage(await dockerSaveLayers(archive), defaultAnalyzers());
    pool = new AnalysisPool(generous);
    const progress: number[] = [];
    const threaded = await pool.analyze(await dockerSaveLayers(archive), {
      onLayer: async (index) => void progress.push(index),
    });
    expect(threaded.packages.length).toBeGreaterThan(10);
    expect(threaded.packages).toEqual(inProcess.packages);
    expect(threaded.osCandidates).toEqual(inProcess.osCandidates);
    expect(threaded.warnings).toEqual(inProcess.warnings);
    expect(progress).toEqual([0]);
  });

  it('streams a layer larger than its window to the thread (4,000 files in small chunks)', async () => {
    const entries = Array.from({ length: 4000 }, (_, i) => ({ name: `srv/app/f${i}.txt`, content: `file ${i}\n`.repeat(50) }));
    pool = new AnalysisPool(generous);
    const result = await pool.analyze([await gzipLayer([{ name: 'etc/alpine-release', content: '3.19.1\n' }, ...entries])]);
    expect(result.osCandidates).toEqual([expect.objectContaining({ id: 'alpine', version: '3.19.1' })]);
  });

  it('ends a parse that runs over the file budget by terminating its thread, naming the file and the budget', async () => {
    pool = new AnalysisPool({ ...generous, fileTimeoutMs: 20 });
    const layer = await gzipLayer([{ name: 'var/lib/dpkg/status', content: dpkgStatus(60_000) }]);
    const err = await rejection(pool.analyze([layer]));
    expect(err).toBeInstanceOf(LayerLimitError);
    expect(err).toMatchObject({ code: ScanErrorCode.AnalysisLimitExceeded, limit: 'fileTimeoutMs' });
    expect((err as Error).message).toContain('var/lib/dpkg/status in layer 0');
    expect((err as Error).message).toContain('dpkg analyzer');
    // The pool replaces the terminated thread: the next image is analyzed as usual.
    const next = await pool.analyze([await gzipLayer([{ name: 'etc/alpine-release', content: '3.18.0\n' }])]);
    expect(next.osCandidates).toHaveLength(1);
  });

  it('ends a layer that does not finish within the layer budget', async () => {
    pool = new AnalysisPool({ ...generous, layerTimeoutMs: 300 });
    const head = await tarOf([{ name: 'etc/alpine-release', content: '3.19.1\n' }]);
    const stalled = new PassThrough();
    // The first entry arrives, then the blob never ends.
    stalled.write(head.subarray(0, 1024));
    const layer: ImageLayer = { digest: 'sha256:stalled', mediaType: MEDIA.tar, open: async () => stalled };
    const err = await rejection(pool.analyze([layer]));
    expect(err).toMatchObject({ code: ScanErrorCode.AnalysisLimitExceeded, limit: 'layerTimeoutMs' });
    expect((err as Error).message).toContain('layer 0 (sha256:stalled)');
    expect(stalled.destroyed).toBe(true);
  });

  it('fails an image whose walk needs more heap than the thread may have', async () => {
    pool = new AnalysisPool({ ...generous, maxHeapMb: 24 });
    const names = Array.from({ length: 60_000 }, (_, i) => ({ name: `d${i % 50}/${'n'.repeat(200)}${i}`, content: '' }));
    const err = await rejection(pool.analyze([await gzipLayer(names)], { limits: { maxEntries: 10_000_000 } }));
    expect(err).toMatchObject({ code: ScanErrorCode.AnalysisLimitExceeded, limit: 'maxHeapMb' });
  });

  it('keeps a ScanError of the walk with its code (a corrupt layer)', async () => {
    pool = new AnalysisPool(generous);
    const layer: ImageLayer = {
      digest: 'sha256:bad',
      mediaType: MEDIA.gzip,
      open: async () => Readable.from([Buffer.from('not gzip at all')]),
    };
    const err = await rejection(pool.analyze([layer]));
    expect(err).toMatchObject({ code: ScanErrorCode.LayerCorrupt });
  });

  it('stops at once on a cancel, with the cancel reason', async () => {
    pool = new AnalysisPool(generous);
    const stalled = new PassThrough();
    const controller = new AbortController();
    const layer: ImageLayer = { digest: 'sha256:slow', mediaType: MEDIA.tar, open: async () => stalled };
    const analysis = pool.analyze([layer], { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('scan canceled')), 100);
    await expect(analysis).rejects.toThrow('scan canceled');
  });

  it('fails the analysis with the error of the blob stream (a digest mismatch, say)', async () => {
    pool = new AnalysisPool(generous);
    const broken = new Readable({ read() {} });
    broken.push(Buffer.alloc(512));
    const open = async (): Promise<Readable> => {
      setTimeout(() => broken.destroy(new Error('blob sha256:x: digest mismatch')), 50);
      return broken;
    };
    const err = await rejection(pool.analyze([{ digest: 'sha256:x', mediaType: MEDIA.tar, open }]));
    expect((err as Error).message).toBe('blob sha256:x: digest mismatch');
  });
});
