import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { FileAnalyzer } from '../model';
import { analyzeImage } from './analyze-image';
import type { ImageView } from './image-view';
import { MEDIA, gzipLayer, layerOf, tarOf, zstdCli, zstdCliAvailable, zstdFrame, zstdSkippable } from './test-support/build-layer';

/** The view as `path type@layer`, plus ` -> target` for links: compact enough to compare whole. */
function listing(view: ImageView): string[] {
  return [...view.entries()].map((e) => `${e.path} ${e.type}@${e.layer}${e.linkTarget !== undefined ? ` -> ${e.linkTarget}` : ''}`);
}

/** Reports each file it accepts as a package named after its content, so tests see what bytes it got. */
function contentReporter(accept: (path: string) => boolean): FileAnalyzer {
  return {
    name: 'content',
    version: 1,
    accepts: (path) => accept(path),
    async analyze(file) {
      const chunks: Buffer[] = [];
      for await (const chunk of file.content) chunks.push(chunk as Buffer);
      return { packages: [{ type: 'deb', name: Buffer.concat(chunks).toString('utf8'), version: '1', path: file.path }] };
    },
  };
}

const dir = (name: string) => ({ name, type: 'directory' as const });

describe('overlay semantics across layers', () => {
  it('applies whiteouts and opaque directories to lower layers only', async () => {
    const layers = [
      await gzipLayer(
        [
          dir('etc'),
          { name: 'etc/a', content: 'a0' },
          { name: 'etc/b', content: 'b0' },
          dir('var/lib/dpkg'),
          { name: 'var/lib/dpkg/status', content: 'status0' },
          dir('opt'),
          { name: 'opt/x/y', content: 'y0' },
          { name: 'opt/z', content: 'z0' },
        ],
        'sha256:l0',
      ),
      await gzipLayer(
        [
          { name: 'etc/.wh.a', content: '' },
          // A whiteout hides lower layers only: `c` of this very layer stays.
          { name: 'etc/c', content: 'c1' },
          { name: 'etc/.wh.c', content: '' },
          { name: 'var/lib/.wh.dpkg', content: '' },
          dir('opt'),
          { name: 'opt/keep', content: 'keep1' },
          { name: 'opt/.wh..wh..opq', content: '' },
          { name: 'opt/new', content: 'new1' },
          { name: '.wh..wh.plnk', type: 'directory' },
        ],
        'sha256:l1',
      ),
      await gzipLayer([{ name: 'etc/a', content: 'a2' }], 'sha256:l2'),
    ];
    const result = await analyzeImage(layers, [contentReporter(() => true)]);
    expect(listing(result.view)).toEqual([
      'etc dir@0',
      'etc/a file@2',
      'etc/b file@0',
      'etc/c file@1',
      'opt dir@1',
      'opt/keep file@1',
      'opt/new file@1',
      'var dir@0',
      'var/lib dir@0',
    ]);
    // Only the bytes that survive are reported, each with its own layer.
    expect(result.packages.map((p) => `${p.path}=${p.name}@${p.layerDigest}`).sort()).toEqual([
      'etc/a=a2@sha256:l2',
      'etc/b=b0@sha256:l0',
      'etc/c=c1@sha256:l1',
      'opt/keep=keep1@sha256:l1',
      'opt/new=new1@sha256:l1',
    ]);
    expect(result.warnings).toEqual([]);
  });

  it('an opaque marker keeps what the same layer put deeper in a lower directory', async () => {
    const layers = [
      await gzipLayer([dir('srv'), dir('srv/d'), { name: 'srv/d/old', content: 'o' }, { name: 'srv/gone', content: 'g' }]),
      await gzipLayer([
        { name: 'srv/d/fresh', content: 'f' },
        { name: 'srv/.wh..wh..opq', content: '' },
      ]),
    ];
    const { view } = await analyzeImage(layers, []);
    expect(listing(view)).toEqual(['srv dir@0', 'srv/d dir@1', 'srv/d/fresh file@1']);
  });

  it('replaces a file by a directory and a directory (with its subtree) by a file', async () => {
    const layers = [
      await gzipLayer([
        { name: 'a', content: 'file' },
        dir('b'),
        { name: 'b/c', content: 'c' },
        { name: 'b/d/e', content: 'e' },
        dir('usr/lib'),
        { name: 'lib', type: 'symlink', linkname: 'usr/lib' },
      ]),
      await gzipLayer([dir('a'), { name: 'a/x', content: 'x' }, { name: 'b', content: 'now a file' }, { name: 'lib/own', content: 'o' }]),
    ];
    const result = await analyzeImage(layers, [contentReporter(() => true)]);
    expect(listing(result.view)).toEqual([
      'a dir@1',
      'a/x file@1',
      'b file@1',
      'lib dir@1',
      'lib/own file@1',
      'usr dir@0',
      'usr/lib dir@0',
    ]);
    expect(result.packages.map((p) => p.path).sort()).toEqual(['a/x', 'b', 'lib/own']);
  });

  it('a later entry of the same path in the same layer wins, and only its bytes are reported', async () => {
    const layers = [
      await gzipLayer([
        { name: 'f', content: 'first' },
        { name: 'f', content: 'second' },
      ]),
    ];
    const result = await analyzeImage(layers, [contentReporter(() => true)]);
    expect(result.packages.map((p) => p.name)).toEqual(['second']);
  });
});

describe('hardlinks', () => {
  it('share their target content and keep its packages alive when the target is deleted', async () => {
    const layers = [
      await gzipLayer(
        [
          { name: 'usr/bin/tool', content: 'tool bytes', mode: 0o755 },
          { name: 'usr/bin/same-layer', type: 'link', linkname: 'usr/bin/tool' },
        ],
        'sha256:l0',
      ),
      await gzipLayer(
        [
          { name: 'usr/sbin/alias', type: 'link', linkname: './usr/bin/tool' },
          { name: 'usr/bin/.wh.tool', content: '' },
          { name: 'usr/bin/.wh.same-layer', content: '' },
        ],
        'sha256:l1',
      ),
    ];
    const result = await analyzeImage(layers, [contentReporter((p) => p.includes('bin/'))]);
    expect(listing(result.view)).toEqual(['usr dir@0', 'usr/bin dir@0', 'usr/sbin dir@1', 'usr/sbin/alias hardlink@1 -> usr/bin/tool']);
    expect(result.view.get('usr/sbin/alias')).toEqual({
      path: 'usr/sbin/alias',
      type: 'hardlink',
      layer: 1,
      size: 10,
      mode: 0o644,
      linkTarget: 'usr/bin/tool',
    });
    // The bytes went by as usr/bin/tool; they now live on only as the hardlink, in layer 1.
    expect(result.packages).toEqual([{ type: 'deb', name: 'tool bytes', version: '1', path: 'usr/sbin/alias', layerDigest: 'sha256:l1' }]);
    expect(result.warnings).toEqual([]);
  });

  it('report a package once while the original survives', async () => {
    const layers = [
      await gzipLayer([
        { name: 'bin/a', content: 'A' },
        { name: 'bin/b', type: 'link', linkname: 'bin/a' },
      ]),
    ];
    const result = await analyzeImage(layers, [contentReporter(() => true)]);
    expect(result.packages.map((p) => p.path)).toEqual(['bin/a']);
  });

  it('warn when the target is missing or went by unseen by an analyzer that wants the link', async () => {
    const layers = [
      await gzipLayer(
        [
          { name: 'data/raw', content: 'R' },
          { name: 'lib/apk/db/installed', type: 'link', linkname: 'data/raw' },
          { name: 'x', type: 'link', linkname: 'nowhere' },
        ],
        'sha256:l0',
      ),
    ];
    const result = await analyzeImage(layers, [contentReporter((p) => p.startsWith('lib/'))]);
    expect(result.warnings).toEqual([
      'hardlink lib/apk/db/installed -> data/raw: content wants it but did not see the linked file; not analyzed',
      'layer 0: hardlink x -> nowhere: no such file in this or an earlier layer; skipped',
    ]);
    expect(result.view.get('x')).toBeUndefined();
  });
});

describe('path traversal in layer entries', () => {
  it('skips entries that climb out of the root, with a warning, and keeps the rest', async () => {
    const layers = [
      await gzipLayer(
        [
          { name: '../evil', content: 'x' },
          { name: './../../etc/passwd', content: 'x' },
          { name: 'a/../../b', content: 'x' },
          { name: '/abs/ok', content: 'ok' },
          { name: './rel/./ok/../fine', content: 'fine' },
          { name: 'link', type: 'link', linkname: '../../host-file' },
        ],
        'sha256:t',
      ),
    ];
    const result = await analyzeImage(layers, []);
    expect(listing(result.view)).toEqual(['abs dir@0', 'abs/ok file@0', 'rel dir@0', 'rel/fine file@0']);
    expect(result.warnings).toEqual([
      'layer 0 (sha256:t): entry "../evil" climbs out of the image root; skipped',
      'layer 0 (sha256:t): entry "./../../etc/passwd" climbs out of the image root; skipped',
      'layer 0 (sha256:t): entry "a/../../b" climbs out of the image root; skipped',
      'layer 0 (sha256:t): hardlink link -> "../../host-file" points outside the image root; skipped',
    ]);
  });
});

describe('compression', () => {
  const entries = [
    { name: 'etc/os-release', content: 'ID=test\n' },
    { name: 'big', content: Buffer.alloc(300_000, 7) },
  ];
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  const hashes: FileAnalyzer = {
    name: 'sha',
    version: 1,
    accepts: () => true,
    async analyze(file) {
      const hash = createHash('sha256');
      for await (const chunk of file.content) hash.update(chunk as Buffer);
      return { packages: [{ type: 'npm', name: file.path, version: hash.digest('hex'), path: file.path }] };
    },
  };
  const expected = [`etc/os-release ${sha(Buffer.from('ID=test\n'))}`, `big ${sha(Buffer.alloc(300_000, 7))}`].sort();
  const summary = (packages: { name: string; version: string }[]) => packages.map((p) => `${p.name} ${p.version}`).sort();

  it('reads zstd frames built by hand: raw and RLE blocks, several frames, a skippable frame', async () => {
    const tar = await tarOf(entries);
    // RLE-encode part of the run of 7s, to exercise every block type; the rest goes raw.
    const run = tar.indexOf(Buffer.alloc(1000, 7));
    const tail = run + 200_000;
    expect(run).toBe(1536);
    const blob = Buffer.concat([
      zstdFrame([[tar.subarray(0, run), 'raw']]),
      zstdSkippable(Buffer.from('ignore me')),
      zstdFrame([
        [7, 'rle', 100_000],
        [7, 'rle', 100_000],
        [tar.subarray(tail, tail + 50_000), 'raw'],
      ]),
      zstdFrame([[tar.subarray(tail + 50_000), 'raw']]),
    ]);
    const result = await analyzeImage([layerOf(blob, MEDIA.zstd)], [hashes]);
    expect(summary(result.packages)).toEqual(expected);
    expect(result.warnings).toEqual([]);
  });

  (zstdCliAvailable ? it : it.skip)('reads real zstd output, two frames concatenated (zstd CLI)', async () => {
    const tar = await tarOf(entries);
    const blob = Buffer.concat([zstdCli(tar.subarray(0, 4096), ['-19']), zstdCli(tar.subarray(4096), ['--long=24'])]);
    const result = await analyzeImage([layerOf(blob, MEDIA.zstd)], [hashes]);
    expect(summary(result.packages)).toEqual(expected);
  });

  it('trusts the bytes over the media type, with a warning', async () => {
    const tar = await tarOf(entries);
    const layers = [
      layerOf(gzipSync(tar), MEDIA.zstd, 'sha256:g'),
      layerOf(tar, MEDIA.dockerGzip, 'sha256:p'),
      layerOf(zstdFrame([[tar, 'raw']]), MEDIA.tar, 'sha256:z'),
    ];
    const result = await analyzeImage(layers, [hashes]);
    expect(summary(result.packages)).toEqual(expected);
    expect(result.warnings).toEqual([
      'layer 0 (sha256:g): media type application/vnd.oci.image.layer.v1.tar+zstd says zstd but the content is gzip; trusting the content',
      'layer 1 (sha256:p): media type application/vnd.docker.image.rootfs.diff.tar.gzip says gzip but the content is an uncompressed tar; trusting the content',
      'layer 2 (sha256:z): media type application/vnd.oci.image.layer.v1.tar says an uncompressed tar but the content is zstd; trusting the content',
    ]);
  });
});
