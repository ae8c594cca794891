import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { ScanErrorCode } from '@vulnscan/contracts';
import { analyzeImage, type ImageLayer } from './analyze-image';
import { MEDIA, gzipLayer, layerOf, tarOf, zstdFrame } from './test-support/build-layer';
import { failure } from './test-support/failure';

const small = [
  { name: 'a', content: 'x'.repeat(100) },
  { name: 'b', content: 'y' },
  { name: 'c', content: 'z' },
];

describe('layer limits', () => {
  it('maxEntries: fails with layer_too_large naming the limit and the layer', async () => {
    const layers = [await gzipLayer([{ name: 'ok', content: '1' }], 'sha256:first'), await gzipLayer(small, 'sha256:second')];
    const err = await failure(analyzeImage(layers, [], { limits: { maxEntries: 2 } }));
    expect(err.code).toBe(ScanErrorCode.LayerTooLarge);
    expect(err.message).toBe('layer 1 (sha256:second): more than 2 entries exceeds maxEntries');
  });

  it('maxEntries also counts the directories a path only implies', async () => {
    const err = await failure(
      analyzeImage([await gzipLayer([{ name: 'a/b/c/d/e', content: 'x' }], 'sha256:deep')], [], { limits: { maxEntries: 3 } }),
    );
    expect(err.code).toBe(ScanErrorCode.LayerTooLarge);
    expect(err.message).toBe('layer 0 (sha256:deep): more than 3 paths, implied directories included exceeds maxEntries');
  });

  it('maxEntrySize: a declared size over the limit fails before any byte of it is read', async () => {
    const err = await failure(analyzeImage([await gzipLayer(small, 'sha256:s')], [], { limits: { maxEntrySize: 99 } }));
    expect(err.code).toBe(ScanErrorCode.LayerTooLarge);
    expect(err.message).toBe('layer 0 (sha256:s): entry "a" of 100 bytes exceeds maxEntrySize');
  });

  it('maxLayerBytes: counts uncompressed bytes', async () => {
    const tar = await tarOf(small);
    const err = await failure(
      analyzeImage([layerOf(gzipSync(tar), MEDIA.gzip, 'sha256:l')], [], { limits: { maxLayerBytes: tar.length - 1 } }),
    );
    expect(err.code).toBe(ScanErrorCode.LayerTooLarge);
    expect(err.message).toBe(`layer 0 (sha256:l): uncompressed size over ${tar.length - 1} bytes exceeds maxLayerBytes`);
    await expect(analyzeImage([layerOf(gzipSync(tar), MEDIA.gzip)], [], { limits: { maxLayerBytes: tar.length } })).resolves.toBeDefined();
  });

  it('maxSymlinkDepth: a longer chain resolves to too_deep, recorded once', async () => {
    const chain = [
      { name: 'f', content: 'x' },
      { name: 'l1', type: 'symlink' as const, linkname: 'f' },
      { name: 'l2', type: 'symlink' as const, linkname: '/l1' },
      { name: 'l3', type: 'symlink' as const, linkname: './l2' },
    ];
    const result = await analyzeImage([await gzipLayer(chain)], [], { limits: { maxSymlinkDepth: 2 } });
    expect(result.view.resolve('l2')).toEqual({ path: 'f' });
    expect(result.view.resolve('l3')).toEqual({ problem: 'too_deep' });
    expect(result.warnings).toEqual(['symlink l3: too deep; not followed']);
  });

  it('a gzip bomb of a few KB stops at maxLayerBytes', async () => {
    const bomb = gzipSync(Buffer.alloc(16 * 1024 * 1024), { level: 9 });
    expect(bomb.length).toBeLessThan(20_000);
    const err = await failure(analyzeImage([layerOf(bomb, MEDIA.gzip, 'sha256:bomb')], [], { limits: { maxLayerBytes: 1024 * 1024 } }));
    expect(err.code).toBe(ScanErrorCode.LayerTooLarge);
    expect(err.message).toBe('layer 0 (sha256:bomb): uncompressed size over 1048576 bytes exceeds maxLayerBytes');
  });

  it('a zstd bomb of RLE blocks stops at maxLayerBytes', async () => {
    const bomb = zstdFrame(Array.from({ length: 4000 }, () => [0, 'rle', 128 * 1024] as [number, 'rle', number]));
    expect(bomb.length).toBeLessThan(20_000);
    const err = await failure(analyzeImage([layerOf(bomb, MEDIA.zstd)], [], { limits: { maxLayerBytes: 1024 * 1024 } }));
    expect(err.code).toBe(ScanErrorCode.LayerTooLarge);
    expect(err.message).toMatch(/uncompressed size over 1048576 bytes exceeds maxLayerBytes$/);
  });

  it('a zstd frame asking for a 2 GiB window is refused before anything is allocated', async () => {
    const err = await failure(analyzeImage([layerOf(zstdFrame([[0, 'rle', 10]], 31), MEDIA.zstd, 'sha256:w')], []));
    expect(err.code).toBe(ScanErrorCode.LayerTooLarge);
    expect(err.message).toBe('layer 0 (sha256:w): a zstd window of 2147483648 bytes (134217728 at most) exceeds the zstd window limit');
  });
});

describe('corrupt layers', () => {
  const corrupt = async (blob: Buffer, mediaType: string): Promise<string> => {
    const err = await failure(analyzeImage([layerOf(blob, mediaType, 'sha256:c')], []));
    expect(err.code).toBe(ScanErrorCode.LayerCorrupt);
    return err.message;
  };

  it('a truncated gzip', async () => {
    const gz = gzipSync(await tarOf([{ name: 'f', content: randomBytes(50_000) }]));
    expect(await corrupt(gz.subarray(0, gz.length >> 1), MEDIA.gzip)).toBe('layer 0 (sha256:c): gzip: unexpected end of file');
  });

  it('a truncated tar', async () => {
    const tar = await tarOf([{ name: 'f', content: randomBytes(50_000) }]);
    expect(await corrupt(tar.subarray(0, 20_000), MEDIA.tar)).toBe('layer 0 (sha256:c): tar: Unexpected end of data');
  });

  it('a truncated zstd stream', async () => {
    const frame = zstdFrame([[await tarOf([{ name: 'f', content: 'x' }]), 'raw']]);
    expect(await corrupt(frame.subarray(0, 700), MEDIA.zstd)).toMatch(/^layer 0 \(sha256:c\): zstd: /);
  });

  it.each([MEDIA.tar, MEDIA.gzip, MEDIA.zstd])('random bytes labelled %s', async (mediaType) => {
    // Random bytes have no gzip or zstd magic, so whatever the label says they are parsed as tar.
    const noise = Buffer.concat([Buffer.from('noise'), randomBytes(64 * 1024)]);
    expect(await corrupt(noise, mediaType)).toMatch(/^layer 0 \(sha256:c\): tar: Invalid tar header/);
  });

  it('gzip whose inflated bytes are not a tar', async () => {
    expect(await corrupt(gzipSync(randomBytes(4096)), MEDIA.gzip)).toMatch(/^layer 0 \(sha256:c\): tar: /);
  });
});

describe('the blob stream', () => {
  it('an error of the blob stream itself is passed on unchanged, not called corrupt', async () => {
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const tar = await tarOf([{ name: 'f', content: randomBytes(20_000) }]);
    const layer: ImageLayer = {
      digest: 'sha256:net',
      mediaType: MEDIA.tar,
      open: async () =>
        Readable.from(
          (async function* () {
            yield tar.subarray(0, 5000);
            throw reset;
          })(),
        ),
    };
    await expect(analyzeImage([layer], [])).rejects.toBe(reset);
  });

  it('a cancel ends a walk that is waiting on a stalled blob', async () => {
    const controller = new AbortController();
    const stalled = new Readable({ read() {} });
    stalled.push((await tarOf([{ name: 'a', content: 'x' }])).subarray(0, 512));
    const layer: ImageLayer = { digest: 'sha256:slow', mediaType: MEDIA.tar, open: async () => stalled };
    setTimeout(() => controller.abort(new Error('scan canceled')), 50);
    await expect(analyzeImage([layer], [], { signal: controller.signal })).rejects.toThrow('scan canceled');
    expect(stalled.destroyed).toBe(true);
  });
});
