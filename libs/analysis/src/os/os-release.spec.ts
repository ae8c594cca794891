import { osFamily, osInfoFromOsRelease, parseOsRelease } from './os-release';

describe('parseOsRelease', () => {
  it('unquotes double and single quotes and resolves shell escapes', () => {
    const { fields, warnings } = parseOsRelease(
      [
        '# a comment',
        '',
        'NAME="Foo \\"Bar\\" \\$HOME \\\\ \\n"',
        "VARIANT='single $quoted \\ text'",
        'ID=foo',
        'ID_LIKE="rhel centos fedora"  ',
        'UNQUOTED=a\\ b',
        '  INDENTED=yes',
      ].join('\r\n'),
    );
    expect(warnings).toEqual([]);
    expect(Object.fromEntries(fields)).toEqual({
      NAME: 'Foo "Bar" $HOME \\ \\n',
      VARIANT: 'single $quoted \\ text',
      ID: 'foo',
      ID_LIKE: 'rhel centos fedora',
      UNQUOTED: 'a b',
      INDENTED: 'yes',
    });
  });

  it('reports lines that are not assignments and keeps the valid ones', () => {
    const { fields, warnings } = parseOsRelease('garbage\n=novalue\n1KEY=x\nID=alpine\nNAME="unterminated\n');
    expect(Object.fromEntries(fields)).toEqual({ ID: 'alpine', NAME: 'unterminated' });
    expect(warnings).toEqual([
      'line 1: not a KEY=value assignment',
      'line 2: not a KEY=value assignment',
      'line 3: not a KEY=value assignment',
      'line 5: unterminated quote in NAME',
    ]);
  });

  it('lets a later assignment win, as sourcing the file in a shell would', () => {
    expect(parseOsRelease('ID=a\nID=b\n').fields.get('ID')).toBe('b');
  });
});

describe('osFamily', () => {
  it.each([
    ['debian', [], 'debian'],
    ['ubuntu', ['debian'], 'ubuntu'],
    ['linuxmint', ['ubuntu', 'debian'], 'ubuntu'],
    ['raspbian', ['debian'], 'debian'],
    ['alpine', [], 'alpine'],
    ['rhel', ['fedora'], 'redhat'],
    ['rocky', ['rhel', 'centos', 'fedora'], 'redhat'],
    ['mariner', [], 'redhat'],
    ['amzn', ['centos', 'rhel', 'fedora'], 'redhat'],
    ['opensuse-leap', ['suse', 'opensuse'], 'unknown'],
    ['wolfi', [], 'unknown'],
  ])('%s like %j is %s', (id, idLike, family) => {
    expect(osFamily(id, idLike)).toBe(family);
  });
});

describe('osInfoFromOsRelease', () => {
  it('defaults ID to linux and needs at least ID or NAME', () => {
    expect(osInfoFromOsRelease(new Map([['NAME', 'Thing']]), 'etc/os-release')).toEqual({
      id: 'linux',
      family: 'unknown',
      path: 'etc/os-release',
    });
    expect(osInfoFromOsRelease(new Map([['VERSION_ID', '1']]), 'etc/os-release')).toBeUndefined();
  });
});
