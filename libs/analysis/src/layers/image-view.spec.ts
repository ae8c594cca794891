import { ImageView } from './image-view';
import type { LayerEntry } from './tar-walk';
import { normalizeLayerPath } from './paths';

type Spec = Pick<LayerEntry, 'path' | 'type' | 'linkTarget'>;
const file = (path: string): Spec => ({ path, type: 'file' });
const dir = (path: string): Spec => ({ path, type: 'dir' });
const link = (path: string, linkTarget: string): Spec => ({ path, type: 'symlink', linkTarget });

function viewOf(entries: Spec[], options: { maxSymlinkDepth?: number } = {}): { view: ImageView; warnings: string[] } {
  const warnings: string[] = [];
  const view = new ImageView({ ...options, warn: (w) => warnings.push(w) });
  for (const entry of entries) view.apply({ mode: 0o644, size: 1, ...entry }, 0);
  return { view, warnings };
}

describe('normalizeLayerPath', () => {
  it.each([
    ['./usr/bin/', 'usr/bin'],
    ['/etc//passwd', 'etc/passwd'],
    ['a/./b/../c', 'a/c'],
    ['./', ''],
    ['..', null],
    ['a/../../b', null],
    ['/../etc', null],
  ])('%s -> %s', (raw, normalized) => expect(normalizeLayerPath(raw)).toBe(normalized));
});

describe('ImageView.resolve', () => {
  const { view, warnings } = viewOf([
    dir('usr/lib/x'),
    file('usr/lib/x/y'),
    file('usr/etc/f'),
    file('usr/bin/python3.11'),
    link('usr/bin/python', 'python3.11'),
    link('lib', 'usr/lib'),
    link('a/b', '/usr/bin/python'),
    file('f'),
    link('up', '../../..'),
    link('d1', 'd2'),
    link('d2', 'd1'),
    link('self', 'self'),
    link('here', '.'),
    link('empty', ''),
    link('sub/parent', '..'),
  ]);

  it.each([
    ['usr/bin/python', { path: 'usr/bin/python3.11' }],
    ['/lib/x/y', { path: 'usr/lib/x/y' }],
    // `..` after a symlinked directory leaves the directory the link points to, as the kernel does.
    ['lib/../etc/f', { path: 'usr/etc/f' }],
    ['a/b', { path: 'usr/bin/python3.11' }],
    ['here/here/f', { path: 'f' }],
    ['sub/parent/f', { path: 'f' }],
    ['/', { path: '' }],
    ['f/x', { problem: 'dangling' }],
    ['lib/nothing', { problem: 'dangling' }],
    ['empty', { problem: 'dangling' }],
    ['up', { problem: 'escapes_root' }],
    ['d1/x', { problem: 'cycle' }],
    ['self', { problem: 'cycle' }],
  ])('%s', (path, expected) => expect(view.resolve(path)).toEqual(expected));

  it('records escapes and cycles once each, never dangling links', () => {
    view.resolve('up');
    view.checkSymlinks();
    expect(warnings).toEqual([
      'symlink up: escapes root; not followed',
      'symlink d1/x: cycle; not followed',
      'symlink self: cycle; not followed',
      'symlink d1: cycle; not followed',
      'symlink d2: cycle; not followed',
    ]);
  });

  it('counts every link followed against maxSymlinkDepth', () => {
    const shallow = viewOf([file('f'), link('here', '.')], { maxSymlinkDepth: 2 }).view;
    expect(shallow.resolve('here/here/f')).toEqual({ path: 'f' });
    expect(shallow.resolve('here/here/here/f')).toEqual({ problem: 'too_deep' });
  });
});

describe('ImageView at scale', () => {
  it('holds a million entries', () => {
    const view = new ImageView();
    for (let d = 0; d < 50_000; d++) {
      view.apply({ path: `usr/lib/site-packages/pkg${d}`, type: 'dir', mode: 0o755, size: 0 }, 0);
      for (let f = 0; f < 19; f++)
        view.apply({ path: `usr/lib/site-packages/pkg${d}/module_${f}.py`, type: 'file', mode: 0o644, size: 1234 }, 1);
    }
    // An opaque marker over the lot, from a later layer, empties it in one go.
    view.apply({ path: 'usr/lib/site-packages/.wh..wh..opq', type: 'file', mode: 0, size: 0 }, 2);
    expect(view.size).toBe(3);
  });
});
