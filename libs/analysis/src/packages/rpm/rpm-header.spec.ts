import { packageFromRpmHeader, parseSourceRpm } from './rpm-package';
import { parseRpmHeader, RpmTag, RpmType } from './rpm-header';

interface TestEntry {
  tag: number;
  type: number;
  value: string | number;
}

/** Builds a header blob the way rpm lays one out, optionally wrapped in an immutable region. */
function header(entries: TestEntry[], options: { region?: boolean; trailerBack?: number } = {}): Buffer {
  const index: Array<[number, number, number, number]> = [];
  const data: Buffer[] = [];
  let size = 0;
  for (const entry of entries) {
    const bytes = typeof entry.value === 'number' ? Buffer.alloc(4) : Buffer.from(`${entry.value}\0`);
    if (typeof entry.value === 'number') bytes.writeUInt32BE(entry.value);
    index.push([entry.tag, entry.type, size, 1]);
    data.push(bytes);
    size += bytes.length;
  }
  if (options.region) {
    const trailer = Buffer.alloc(16);
    trailer.writeInt32BE(RpmTag.HeaderImmutable, 0);
    trailer.writeInt32BE(RpmType.Bin, 4);
    trailer.writeInt32BE(-(options.trailerBack ?? index.length + 1) * 16, 8);
    trailer.writeInt32BE(16, 12);
    index.unshift([RpmTag.HeaderImmutable, RpmType.Bin, size, 16]);
    data.push(trailer);
    size += 16;
  }
  const head = Buffer.alloc(8 + index.length * 16);
  head.writeInt32BE(index.length, 0);
  head.writeInt32BE(size, 4);
  index.forEach((fields, i) => fields.forEach((v, j) => head.writeInt32BE(v, 8 + i * 16 + j * 4)));
  return Buffer.concat([head, ...data]);
}

const str = (tag: number, value: string): TestEntry => ({ tag, type: RpmType.String, value });
const NEVRA = [
  str(RpmTag.Name, 'bash'),
  str(RpmTag.Version, '5.1.8'),
  str(RpmTag.Release, '1.cm2'),
  str(RpmTag.Arch, 'x86_64'),
  str(RpmTag.SourceRpm, 'bash-5.1.8-1.cm2.src.rpm'),
  str(RpmTag.License, 'GPLv3+'),
];

describe('parseRpmHeader', () => {
  it('reads strings and int32s, through an immutable region', () => {
    const h = parseRpmHeader(header([...NEVRA, { tag: RpmTag.Epoch, type: RpmType.Int32, value: 2 }], { region: true }));
    expect([h.string(RpmTag.Name), h.string(RpmTag.Release), h.int32(RpmTag.Epoch), h.string(9999)]).toEqual([
      'bash',
      '1.cm2',
      2,
      undefined,
    ]);
  });

  it('lets a dribble entry after the region replace the region copy, as rpm does', () => {
    const h = parseRpmHeader(header([str(RpmTag.Name, 'old'), str(RpmTag.Name, 'new')], { region: true, trailerBack: 2 }));
    expect(h.string(RpmTag.Name)).toBe('new');
  });

  it.each<[string, Buffer, string]>([
    ['too short', Buffer.alloc(4), 'header of 4 bytes'],
    ['no entries', Buffer.from([0, 0, 0, 0, 0, 0, 0, 0]), 'bad index count 0'],
    ['absurd index count', Buffer.from([0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0]), 'bad index count 2147483647'],
    ['negative data length', Buffer.from([0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff]), 'bad data length -1'],
    ['truncated', header(NEVRA).subarray(0, 100), 'header needs 160 bytes, has 100'],
    ['bad region trailer', header(NEVRA, { region: true, trailerBack: 99 }), 'region tag 63: bad trailer'],
  ])('rejects %s', (_, blob, message) => {
    expect(() => parseRpmHeader(blob)).toThrow(message);
  });

  it('rejects an offset outside the data and an unterminated string', () => {
    const outside = header([str(RpmTag.Name, 'x')]);
    outside.writeInt32BE(1000, 8 + 8);
    expect(() => parseRpmHeader(outside)).toThrow('tag 1000: offset or count out of range');
    const unterminated = header([str(RpmTag.Name, 'bash')]);
    unterminated[unterminated.length - 1] = 0x41;
    expect(() => parseRpmHeader(unterminated).string(RpmTag.Name)).toThrow('tag 1000: string not terminated inside the data');
  });

  it('rejects a value of the wrong type, and an int32 running off the data', () => {
    const h = parseRpmHeader(header([{ tag: RpmTag.Name, type: RpmType.Int32, value: 1 }, str(RpmTag.Epoch, '')]));
    expect(() => h.string(RpmTag.Name)).toThrow('tag 1000: type 4 is not a string');
    expect(() => h.int32(RpmTag.Epoch)).toThrow('tag 1003: not an INT32');
    const short = header([str(RpmTag.Name, 'ab'), { tag: RpmTag.Epoch, type: RpmType.Int32, value: 1 }]);
    short.writeInt32BE(5, 8 + 16 + 8); // EPOCH at offset 5 of a 7-byte data area
    expect(() => parseRpmHeader(short).int32(RpmTag.Epoch)).toThrow('tag 1003: value outside the data');
  });
});

describe('packageFromRpmHeader', () => {
  it('gives name, version-release, arch, source and license', () => {
    expect(packageFromRpmHeader(header(NEVRA, { region: true }), 'var/lib/rpm/rpmdb.sqlite')).toEqual({
      type: 'rpm',
      name: 'bash',
      version: '5.1.8-1.cm2',
      arch: 'x86_64',
      rpm: { version: '5.1.8', release: '1.cm2', sourceRpm: 'bash-5.1.8-1.cm2.src.rpm' },
      source: { name: 'bash', version: '5.1.8-1.cm2' },
      licenses: ['GPLv3+'],
      path: 'var/lib/rpm/rpmdb.sqlite',
    });
  });

  it('prefixes the epoch when there is one, to the source version too', () => {
    const pkg = packageFromRpmHeader(header([...NEVRA, { tag: RpmTag.Epoch, type: RpmType.Int32, value: 0 }]), 'p');
    expect([pkg?.version, pkg?.rpm?.epoch, pkg?.source?.version]).toEqual(['0:5.1.8-1.cm2', 0, '0:5.1.8-1.cm2']);
  });

  it('without SOURCERPM the package is its own source', () => {
    const pkg = packageFromRpmHeader(header(NEVRA.filter((e) => e.tag !== RpmTag.SourceRpm)), 'p');
    expect([pkg?.source, pkg?.rpm]).toEqual([
      { name: 'bash', version: '5.1.8-1.cm2' },
      { version: '5.1.8', release: '1.cm2' },
    ]);
  });

  it('skips gpg-pubkey and rejects a header without name, version or release', () => {
    expect(packageFromRpmHeader(header([str(RpmTag.Name, 'gpg-pubkey'), str(RpmTag.Version, 'fd431d51')]), 'p')).toBeUndefined();
    expect(() => packageFromRpmHeader(header([str(RpmTag.Version, '1')]), 'p')).toThrow('no NAME');
    expect(() => packageFromRpmHeader(header([str(RpmTag.Name, 'x'), str(RpmTag.Version, '1')]), 'p')).toThrow('x: no VERSION or RELEASE');
  });
});

describe('parseSourceRpm', () => {
  it.each([
    ['audit-3.0.6-1.cm2.src.rpm', { name: 'audit', version: '3.0.6', release: '1.cm2' }],
    ['util-linux-2.32.1-42.el8_8.src.rpm', { name: 'util-linux', version: '2.32.1', release: '42.el8_8' }],
    ['kernel-5.14.0-362.8.1.el9_3.nosrc.rpm', { name: 'kernel', version: '5.14.0', release: '362.8.1.el9_3' }],
    ['noversion.src.rpm', undefined],
    ['a-1-2.rpm', undefined],
  ])('%s', (sourceRpm, expected) => {
    expect(parseSourceRpm(sourceRpm)).toEqual(expected);
  });
});
