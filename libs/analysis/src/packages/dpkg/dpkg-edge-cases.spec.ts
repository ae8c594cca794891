import { createReadStream, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { fixturesDir } from '@vulnscan/testing';
import type { Package } from '../../model';
import { createDpkgAnalyzer, dpkgAnalyzer } from './dpkg-analyzer';
import { parseDpkgStatus } from './dpkg-status';

const STATUS = 'var/lib/dpkg/status';
const edgeDir = (): string => path.join(fixturesDir(), 'pkgdb', 'dpkg-edge-cases');
const parseEdge = (name: string) => parseDpkgStatus(readFileSync(path.join(edgeDir(), name), 'utf8'), STATUS);

function deb(name: string, version: string, arch: string | undefined, source?: [string, string]): Package {
  const [sourceName, sourceVersion] = source ?? [name, version];
  return {
    type: 'deb',
    name,
    version,
    ...(arch ? { arch } : {}),
    source: { name: sourceName, version: sourceVersion },
    path: STATUS,
  };
}

const ACL = deb('acl', '2.3.1-3', 'amd64');

describe('dpkg edge cases (osv-scalibr fixtures), expectations read from each file', () => {
  it('empty: nothing, silently', () => {
    expect(parseEdge('empty')).toEqual({ packages: [], warnings: [] });
  });

  it('invalid: no fields at all', () => {
    expect(parseEdge('invalid')).toEqual({
      packages: [],
      warnings: [
        `${STATUS}: line 1: not a field`,
        `${STATUS}: line 3: not a field`,
        `${STATUS}: stanza at line 1: no Package field; skipped`,
        `${STATUS}: stanza at line 3: no Package field; skipped`,
      ],
    });
  });

  it('nopackage: the stanza without Package is skipped, its neighbours kept', () => {
    expect(parseEdge('nopackage')).toEqual({
      packages: [deb('foo', '1.0', undefined), deb('bar', '2.0', undefined)],
      warnings: [`${STATUS}: stanza at line 5: no Package field; skipped`],
    });
  });

  it('noversion: acl without Version is skipped', () => {
    expect(parseEdge('noversion')).toEqual({
      packages: [deb('foo', '1.0', undefined), deb('bar', '2.0', undefined)],
      warnings: [`${STATUS}: stanza at line 5: acl: no Version field; skipped`],
    });
  });

  it('single and trailingnewlines: one package', () => {
    expect(parseEdge('single')).toEqual({ packages: [ACL], warnings: [] });
    expect(parseEdge('trailingnewlines')).toEqual({ packages: [ACL], warnings: [] });
  });

  it('statusfield: every state with files on disk; config-files not; a missing Status is damage', () => {
    expect(parseEdge('statusfield')).toEqual({
      packages: [
        deb('wantinstall_installed', '1.0', undefined),
        deb('wantdeinstall_installed', '1.0', undefined),
        deb('wantinstall_unpacked', '1.0', undefined),
        deb('wantpurge_installed', '1.0', undefined),
        deb('wantinstall_halfinstalled', '1.0', undefined),
      ],
      warnings: [`${STATUS}: stanza at line 25: wantnostatus: no Status field; skipped`],
    });
  });

  it('transitional packages are installed packages', () => {
    expect(parseEdge('transitional')).toEqual({
      packages: [deb('iceweasel', '78.13.0esr-1~deb10u1', 'all', ['firefox-esr', '78.13.0esr-1~deb10u1'])],
      warnings: [],
    });
    expect(parseEdge('transitional_dummy')).toEqual({
      packages: [deb('git-core', '1:2.14.2-1', 'all', ['git', '1:2.14.2-1'])],
      warnings: [],
    });
    expect(parseEdge('transitional_empty')).toEqual({
      packages: [deb('runit-systemd', '2.1.2-54+usrmerge', 'all', ['runit', '2.1.2-54+usrmerge'])],
      warnings: [],
    });
  });

  it('valid: seven packages, with both Source forms', () => {
    expect(parseEdge('valid')).toEqual({
      packages: [
        deb('accountsservice', '22.08.8-6', 'amd64'),
        ACL,
        deb('adduser', '3.131', 'all'),
        deb('admin-session', '2023.06.26.c543406313-00', 'amd64'),
        deb('attr', '1:2.5.1-4', 'amd64'),
        deb('libacl1', '2.3.1-3', 'amd64', ['acl', '2.3.1-3']),
        deb('util-linux-extra', '2.38.1-5+b1', 'amd64', ['util-linux', '2.38.1-5']),
      ],
      warnings: [],
    });
  });

  it('status.d/: every accepted file through the analyzer; Status optional there', async () => {
    const dir = path.join(edgeDir(), 'status.d');
    const results = [];
    for (const name of readdirSync(dir).sort()) {
      const filePath = `var/lib/dpkg/status.d/${name}`;
      const { size } = statSync(path.join(dir, name));
      if (!dpkgAnalyzer.accepts(filePath, size, 0o644)) continue;
      results.push(await dpkgAnalyzer.analyze({ path: filePath, size, mode: 0o644, content: createReadStream(path.join(dir, name)) }));
    }
    expect(results).toEqual([
      {
        packages: [
          {
            type: 'deb',
            name: 'foo',
            version: '1.2.3',
            arch: 'amd64',
            source: { name: 'foo', version: '1.2.3' },
            path: 'var/lib/dpkg/status.d/foo',
          },
        ],
      },
    ]);
  });
});

describe('dpkgAnalyzer', () => {
  it('accepts the status file and status.d entries, not their md5sums', () => {
    expect(dpkgAnalyzer.accepts('var/lib/dpkg/status', 1, 0o644)).toBe(true);
    expect(dpkgAnalyzer.accepts('var/lib/dpkg/status.d/libc6', 1, 0o644)).toBe(true);
    expect(dpkgAnalyzer.accepts('var/lib/dpkg/status.d/libc6.md5sums', 1, 0o644)).toBe(false);
    expect(dpkgAnalyzer.accepts('var/lib/dpkg/status.d/sub/x', 1, 0o644)).toBe(false);
    expect(dpkgAnalyzer.accepts('var/lib/dpkg/status-old', 1, 0o644)).toBe(false);
    expect(dpkgAnalyzer.accepts('var/lib/dpkg/available', 1, 0o644)).toBe(false);
  });

  it('a malformed Source keeps the package and warns', async () => {
    const text = 'Package: x\nStatus: install ok installed\nVersion: 1\nSource: y (2\n';
    expect(await dpkgAnalyzer.analyze({ path: STATUS, size: text.length, mode: 0o644, content: Readable.from([text]) })).toEqual({
      packages: [{ type: 'deb', name: 'x', version: '1', source: { name: 'y', version: '1' }, path: STATUS }],
      warnings: [`${STATUS}: stanza at line 1: x: malformed Source field "y (2"`],
    });
  });

  it('over the size limit: a warning, no packages; a failing stream: a warning', async () => {
    const small = createDpkgAnalyzer({ maxBytes: 10 });
    const text = 'Package: x\nStatus: install ok installed\nVersion: 1\n';
    expect(await small.analyze({ path: STATUS, size: text.length, mode: 0o644, content: Readable.from([text]) })).toEqual({
      warnings: [`${STATUS}: ${text.length} bytes, over the 10-byte limit; not read`],
    });
    const failing = new Readable({ read: () => failing.destroy(new Error('unexpected end of layer')) });
    expect(await dpkgAnalyzer.analyze({ path: STATUS, size: 10, mode: 0o644, content: failing })).toEqual({
      warnings: [`${STATUS}: unexpected end of layer`],
    });
  });
});
