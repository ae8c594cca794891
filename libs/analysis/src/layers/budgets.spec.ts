import { ScanErrorCode } from '@vulnscan/contracts';
import { analyzeImage } from './analyze-image';
import { ImageView } from './image-view';
import { LayerLimitError } from './limits';
import { type EntrySpec, gzipLayer } from './test-support/build-layer';
import { failure } from './test-support/failure';

const files = (prefix: string, count: number): EntrySpec[] =>
  Array.from({ length: count }, (_, i) => ({ name: `${prefix}${i}`, content: 'x' }));

describe('path bounds: NAME_MAX and PATH_MAX fail the layer as corrupt', () => {
  it.each<[string, EntrySpec, string]>([
    [
      'a 300-byte component',
      { name: `usr/${'n'.repeat(300)}/f`, content: 'x' },
      `entry "usr/${'n'.repeat(196)}…" has a path component over NAME_MAX (255 bytes)`,
    ],
    [
      'a 256-byte component of two-byte characters',
      { name: `etc/${'é'.repeat(128)}`, content: 'x' },
      'has a path component over NAME_MAX (255 bytes)',
    ],
    ['a path of 4,097 bytes', { name: `${'d/'.repeat(2048)}f`, content: 'x' }, 'has a path of 4097 bytes, PATH_MAX (4096) or more'],
    [
      'a link target of 5,000 bytes',
      { name: 'long-link', type: 'symlink', linkname: 'x'.repeat(5000) },
      'entry "long-link" has a link target of 5000 bytes, PATH_MAX (4096) or more',
    ],
  ])('%s', async (_, entry, detail) => {
    const layers = [await gzipLayer([{ name: 'ok', content: '1' }], 'sha256:a'), await gzipLayer([entry], 'sha256:b')];
    const err = await failure(analyzeImage(layers, []));
    expect(err.code).toBe(ScanErrorCode.LayerCorrupt);
    expect(err.message.startsWith('layer 1 (sha256:b): entry "')).toBe(true);
    expect(err.message.endsWith(detail)).toBe(true);
  });

  it('a 255-byte component, a 4,095-byte path and a 4,095-byte link target are within bounds', async () => {
    const name = `${`${'c'.repeat(255)}/`.repeat(15)}${'f'.repeat(255)}`;
    expect(Buffer.byteLength(name)).toBe(4095);
    const layer = await gzipLayer(
      [
        { name, content: 'x' },
        { name: 'l', type: 'symlink', linkname: 'y'.repeat(4095) },
        { name: `${'é'.repeat(127)}x`, content: 'x' },
      ],
      'sha256:fine',
    );
    const { view } = await analyzeImage([layer], []);
    expect(view.get(name)?.type).toBe('file');
    expect(view.get(`${'é'.repeat(127)}x`)?.type).toBe('file');
    expect(view.resolve('l')).toEqual({ problem: 'dangling' });
  });
});

describe('image-wide budgets', () => {
  it('maxImageEntries: three layers that together hold more entries fail with analysis_limit_exceeded', async () => {
    const layers = [
      await gzipLayer(files('a', 3), 'sha256:a'),
      await gzipLayer(files('b', 3), 'sha256:b'),
      await gzipLayer(files('c', 3), 'sha256:c'),
    ];
    const err = await failure(analyzeImage(layers, [], { limits: { maxImageEntries: 8, maxEntries: 3 } }));
    expect(err).toBeInstanceOf(LayerLimitError);
    expect((err as LayerLimitError).limit).toBe('maxImageEntries');
    expect(err.code).toBe(ScanErrorCode.AnalysisLimitExceeded);
    expect(err.message).toBe('layer 2 (sha256:c): more than 8 entries in the image, implied directories included exceeds maxImageEntries');
    await expect(analyzeImage(layers, [], { limits: { maxImageEntries: 9, maxEntries: 3 } })).resolves.toBeDefined();
  });

  it('maxImageEntries counts the directories a path only implies, and entries that replace others', async () => {
    const deep = [await gzipLayer([{ name: 'a/b/c/d/e', content: 'x' }], 'sha256:deep')];
    const err = await failure(analyzeImage(deep, [], { limits: { maxImageEntries: 4 } }));
    expect(err.code).toBe(ScanErrorCode.AnalysisLimitExceeded);
    expect(err.message).toMatch(/^layer 0 \(sha256:deep\): more than 4 entries in the image/);
    await expect(analyzeImage(deep, [], { limits: { maxImageEntries: 5 } })).resolves.toBeDefined();

    // The view stays at one path, but every layer's entry was read and paid for.
    const same = [await gzipLayer(files('f', 1)), await gzipLayer(files('f', 1)), await gzipLayer(files('f', 1))];
    expect((await failure(analyzeImage(same, [], { limits: { maxImageEntries: 2 } }))).code).toBe(ScanErrorCode.AnalysisLimitExceeded);
  });

  it('maxImagePathBytes: the bytes of paths and link targets add up across layers', async () => {
    const layers = [
      await gzipLayer([{ name: 'p'.repeat(100), content: 'x' }], 'sha256:p'),
      await gzipLayer([{ name: 'l', type: 'symlink', linkname: 't'.repeat(200) }], 'sha256:l'),
    ];
    const err = await failure(analyzeImage(layers, [], { limits: { maxImagePathBytes: 300 } }));
    expect(err.code).toBe(ScanErrorCode.AnalysisLimitExceeded);
    expect(err.message).toBe('layer 1 (sha256:l): more than 300 bytes of paths and link targets in the image exceeds maxImagePathBytes');
    await expect(analyzeImage(layers, [], { limits: { maxImagePathBytes: 301 } })).resolves.toBeDefined();
  });
});

describe('symlink resolution steps', () => {
  /** 2,000 links, each to the next one with ~4,000 bytes of path after it: what made resolution quadratic. */
  const chain = (padding: string): EntrySpec[] =>
    Array.from({ length: 2000 }, (_, i) => ({ name: `l${i}`, type: 'symlink', linkname: `l${i + 1}/${padding}` }));

  it('2,000 chained links with 3,990-byte targets resolve within the default budget, each too deep once', async () => {
    const result = await analyzeImage([await gzipLayer(chain('x'.repeat(3990)))], []);
    // l0…l1959 reach 40 links before the end of the chain; the last 40 end at the missing l2000.
    expect(result.warnings).toHaveLength(1001);
    expect(result.warnings[0]).toBe('symlink l0: too deep; not followed');
    expect(result.warnings[999]).toBe('symlink l999: too deep; not followed');
    expect(result.warnings[1000]).toBe('960 more warnings not shown');
    expect(result.view.resolve('l1960')).toEqual({ problem: 'dangling' });
  });

  it('the same chain with 20 components per target runs out of maxSymlinkSteps: analysis_limit_exceeded', async () => {
    const err = await failure(analyzeImage([await gzipLayer(chain(`${'y'.repeat(199)}/`.repeat(19)))], []));
    expect(err).toBeInstanceOf(LayerLimitError);
    expect((err as LayerLimitError).limit).toBe('maxSymlinkSteps');
    expect(err.code).toBe(ScanErrorCode.AnalysisLimitExceeded);
    expect(err.message).toBe('the image: more than 1000000 symlink resolution steps exceeds maxSymlinkSteps');
  });

  it('every resolution of the image spends from one budget: components walked and links followed', async () => {
    const layer = await gzipLayer([
      { name: 'usr/bin/f', content: 'x' },
      { name: 'bin', type: 'symlink', linkname: 'usr/bin' },
    ]);
    // checkSymlinks resolves `bin`: 1 component, 1 link, 2 target components.
    const { view } = await analyzeImage([layer], [], { limits: { maxSymlinkSteps: 4 + 6 } });
    // `bin/f`: 2 components, 1 link, 2 target components: 5 steps, one too many.
    expect(view.resolve('/usr/bin/f')).toEqual({ path: 'usr/bin/f' });
    expect(() => view.resolve('bin/f')).toThrow(LayerLimitError);
  });
});

describe('cycles without rebuilding the remainder', () => {
  const view = new ImageView();
  const link = (path: string, linkTarget: string): void => void view.apply({ path, type: 'symlink', linkTarget, mode: 0o777, size: 0 }, 0);
  link('a', 'b');
  link('b', 'a');
  link('grow', 'grow/x');
  view.apply({ path: 'g', type: 'dir', mode: 0o755, size: 0 }, 0);
  link('g/x', '../g/x');

  it.each([
    ['a loop under a remainder of 2,000 components', `a/${'z/'.repeat(2000)}z`, 'cycle'],
    ['a loop through `..`', 'g/x', 'cycle'],
    ['a link into itself, longer each time round', 'grow', 'too_deep'],
  ])('%s: %s', (_, path, problem) => expect(view.resolve(path)).toEqual({ problem }));
});
