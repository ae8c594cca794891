import { createHash, randomBytes } from 'node:crypto';
import type { AnalyzedFile, FileAnalyzer } from '../model';
import { analyzeImage, type ImageLayer } from './analyze-image';
import { gzipLayer } from './test-support/build-layer';

const big = randomBytes(5 * 1024 * 1024);
const bigSha = createHash('sha256').update(big).digest('hex');

const hasher: FileAnalyzer = {
  name: 'hasher',
  version: 1,
  accepts: () => true,
  async analyze(file) {
    const hash = createHash('sha256');
    for await (const chunk of file.content) hash.update(chunk as Buffer);
    return {
      packages: [{ type: 'npm', name: file.path, version: hash.digest('hex'), path: file.path }],
      warnings: [`read ${file.size} bytes`],
    };
  },
};

function analyzer(
  name: string,
  analyze: (file: AnalyzedFile) => Promise<{ warnings?: string[] }>,
  accepts: FileAnalyzer['accepts'] = () => true,
): FileAnalyzer {
  return { name, version: 1, accepts, analyze };
}

const image = async (): Promise<ImageLayer[]> => [
  await gzipLayer([
    { name: 'big.bin', content: big },
    { name: 'small.txt', content: 'hi' },
  ]),
];

describe('analyzers cannot fail or stall the walk', () => {
  it('one that throws (in accepts or in analyze) becomes a warning; the others still get their files', async () => {
    const throwing = analyzer('thrower', async (file) => {
      throw new Error(`cannot parse ${file.path}`);
    });
    const undecided: FileAnalyzer = {
      ...hasher,
      name: 'undecided',
      accepts: () => {
        throw new Error('no opinion');
      },
    };
    const result = await analyzeImage(await image(), [throwing, undecided, hasher]);
    expect(result.packages.map((p) => `${p.name} ${p.version}`)).toEqual([
      `big.bin ${bigSha}`,
      `small.txt ${createHash('sha256').update('hi').digest('hex')}`,
    ]);
    expect(result.warnings).toEqual([
      'analyzer undecided failed to decide on big.bin: no opinion',
      'analyzer thrower failed on big.bin: cannot parse big.bin',
      'analyzer undecided failed to decide on small.txt: no opinion',
      'analyzer thrower failed on small.txt: cannot parse small.txt',
      `hasher on big.bin: read ${big.length} bytes`,
      'hasher on small.txt: read 2 bytes',
    ]);
  });

  it('one that returns without reading, or after one chunk, is dropped from the tee at once', async () => {
    const ignoring = analyzer('ignoring', async () => ({}));
    const sipping = analyzer('sipping', async (file) => {
      for await (const _chunk of file.content) break;
      return {};
    });
    const started = Date.now();
    const result = await analyzeImage(await image(), [ignoring, sipping, hasher], { analyzerStallMs: 60_000 });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(result.packages.find((p) => p.name === 'big.bin')?.version).toBe(bigSha);
    expect(result.warnings.filter((w) => !w.startsWith('hasher on'))).toEqual([]);
  });

  it('one that never reads and never returns is cut off after analyzerStallMs; the scan completes', async () => {
    const stuck = analyzer('stuck', () => new Promise(() => undefined));
    const result = await analyzeImage(await image(), [stuck, hasher], { analyzerStallMs: 100 });
    expect(result.packages.find((p) => p.name === 'big.bin')?.version).toBe(bigSha);
    expect(result.warnings.filter((w) => !w.startsWith('hasher on'))).toEqual([
      'analyzer stuck stopped reading big.bin for 100 ms; cut off, its result dropped',
      // small.txt fitted in the stream's buffer, so only the wait after the walk caught it.
      "analyzer stuck did not finish small.txt within 100 ms of the walk's end; its result dropped",
    ]);
  });
});

describe('layer order and progress', () => {
  it('opens each layer only when its turn comes and awaits onLayer after each', async () => {
    const events: string[] = [];
    const layers = await Promise.all([0, 1, 2].map((i) => gzipLayer([{ name: `f${i}`, content: `${i}` }], `sha256:${i}`)));
    const tracked = layers.map((layer, i) => ({ ...layer, open: async () => (events.push(`open ${i}`), layer.open()) }));
    await analyzeImage(tracked, [], {
      onLayer: async (index, total) => {
        await new Promise((resolve) => setTimeout(resolve, 10));
        events.push(`done ${index}/${total}`);
      },
    });
    expect(events).toEqual(['open 0', 'done 0/3', 'open 1', 'done 1/3', 'open 2', 'done 2/3']);
  });

  it('a rejection from onLayer (a cancel) stops the walk before the next layer opens', async () => {
    let opened = 0;
    const layers = await Promise.all([0, 1].map((i) => gzipLayer([{ name: `f${i}`, content: `${i}` }])));
    const tracked = layers.map((layer) => ({ ...layer, open: async () => (opened++, layer.open()) }));
    await expect(
      analyzeImage(tracked, [], {
        onLayer: async () => {
          throw new Error('canceled');
        },
      }),
    ).rejects.toThrow('canceled');
    expect(opened).toBe(1);
  });
});
