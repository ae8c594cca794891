import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { Package } from '../../model';
import { NpmAnalyzer } from './npm-analyzer';
import { isInstalledPackageJson, parseInstalledPackageJson } from './package-json';
import { parsePackageLock } from './package-lock';

const fixture = (name: string): string => readFileSync(join(__dirname, 'testdata', name), 'utf8');
const ids = (packages: Package[]): string[] => packages.map((p) => `${p.namespace ? `${p.namespace}/` : ''}${p.name}@${p.version}`).sort();

/** The packages npm installed for the workspace fixture, as its node_modules folder shows. */
const WORKSPACE_INSTALL = [
  '@babel/code-frame@7.22.13',
  '@babel/helper-validator-identifier@7.29.7',
  '@babel/highlight@7.25.9',
  'ansi-styles@3.2.1',
  'chalk@2.4.2',
  'color-convert@1.9.3',
  'color-name@1.1.3',
  'debug@2.6.9',
  'escape-string-regexp@1.0.5',
  'has-flag@3.0.0',
  'is-number@7.0.0',
  'js-tokens@4.0.0',
  'ms@2.0.0',
  'ms@2.1.3',
  'picocolors@1.1.1',
  'supports-color@5.5.0',
];

describe('parsePackageLock', () => {
  it('v1: every nested dependency, each name@version once, dev ones included', () => {
    const expected = fixture('d3-pprof.lock-v1.expected.tsv')
      .split('\n')
      .filter((line) => line && !line.startsWith('#'))
      .map((line) => line.replace('\t', '@'))
      .sort();
    const { packages, warnings } = parsePackageLock(fixture('d3-pprof.lock-v1.json'), 'app/package-lock.json');
    expect(warnings).toEqual([]);
    expect(expected).toHaveLength(135);
    expect(ids(packages)).toEqual(expected);
    expect(packages.find((p) => p.name === 'json-ext')).toEqual({
      type: 'npm',
      namespace: '@discoveryjs',
      name: 'json-ext',
      version: '0.5.6',
      path: 'app/package-lock.json',
    });
  });

  it.each(['workspace.lock-v3.json', 'workspace.lock-v2.json'])(
    '%s: installed packages only (no root, workspace or link), aliases by their real name',
    (name) => {
      const { packages, warnings } = parsePackageLock(fixture(name), 'srv/package-lock.json');
      expect(warnings).toEqual([]);
      expect(ids(packages)).toEqual(WORKSPACE_INSTALL);
      expect(packages.find((p) => p.name === 'code-frame')).toEqual({
        type: 'npm',
        namespace: '@babel',
        name: 'code-frame',
        version: '7.22.13',
        licenses: ['MIT'],
        path: 'srv/package-lock.json',
      });
    },
  );

  it('v2/v3: optional packages for other operating systems are never installed in a Linux image', () => {
    const lock = {
      lockfileVersion: 3,
      packages: {
        'node_modules/@esbuild/darwin-arm64': { version: '0.19.5', optional: true, os: ['darwin'], cpu: ['arm64'] },
        'node_modules/@esbuild/linux-x64': { version: '0.19.5', optional: true, os: ['linux'], cpu: ['x64'] },
        'node_modules/fsevents': { version: '2.3.3', optional: true, os: ['darwin'] },
        'node_modules/not-windows': { version: '1.0.0', os: ['!win32'] },
        'node_modules/not-linux': { version: '1.0.0', os: ['!linux'] },
      },
    };
    expect(ids(parsePackageLock(JSON.stringify(lock), 'package-lock.json').packages)).toEqual([
      '@esbuild/linux-x64@0.19.5',
      'not-windows@1.0.0',
    ]);
  });

  it('v1: aliases, local folders and git dependencies', () => {
    const lock = {
      lockfileVersion: 1,
      dependencies: {
        'my-ms': { version: 'npm:ms@2.0.0' },
        'my-scoped': { version: 'npm:@types/node@20.1.0' },
        local: { version: 'file:../local', dependencies: { 'left-pad': { version: '1.3.0' } } },
        fromgit: { version: 'github:user/fromgit#4f1b2c3' },
      },
    };
    const { packages, warnings } = parsePackageLock(JSON.stringify(lock), 'package-lock.json');
    expect(ids(packages)).toEqual(['@types/node@20.1.0', 'left-pad@1.3.0', 'ms@2.0.0']);
    expect(warnings).toEqual(['package-lock.json: fromgit: version "github:user/fromgit#4f1b2c3" is not a registry version']);
  });

  it('malformed input: warnings and whatever is valid', () => {
    expect(parsePackageLock('{"lockfileVersion": 3, "packages": {', 'p/package-lock.json').warnings[0]).toMatch(
      /^p\/package-lock.json: not valid JSON/,
    );
    const lock = {
      lockfileVersion: 3,
      packages: {
        'node_modules/ok': { version: '1.0.0', license: { type: 'BSD-2-Clause' } },
        'node_modules/noversion': { resolved: 'x' },
        'node_modules/bad': { version: 42 },
        'node_modules/weird': 'not an object',
      },
    };
    const { packages, warnings } = parsePackageLock(JSON.stringify(lock), 'package-lock.json');
    expect(packages).toEqual([{ type: 'npm', name: 'ok', version: '1.0.0', licenses: ['BSD-2-Clause'], path: 'package-lock.json' }]);
    expect(warnings).toEqual(['package-lock.json: bad: no version']);
  });
});

describe('installed package.json', () => {
  it.each([
    ['usr/lib/node_modules/npm/node_modules/semver/package.json', true],
    ['app/node_modules/@babel/core/package.json', true],
    ['app/node_modules/a/node_modules/b/package.json', true],
    ['app/node_modules/.pnpm/ms@2.1.3/node_modules/ms/package.json', true],
    ['node_modules/x/package.json', true],
    ['app/package.json', false],
    ['app/node_modules/@babel/runtime/helpers/esm/package.json', false],
    ['app/node_modules/x/test/fixtures/package.json', false],
    ['app/node_modules/.cache/package.json', false],
    ['app/node_modules/@scope/package.json', false],
  ])('%s is an installed package: %s', (path, expected) => {
    expect(isInstalledPackageJson(path)).toBe(expected);
  });

  it('reads name, version and license; an alias folder holds the real package', () => {
    expect(parseInstalledPackageJson(fixture('babel-code-frame.package.json'), 'n/node_modules/@babel/code-frame/package.json')).toEqual({
      packages: [
        {
          type: 'npm',
          namespace: '@babel',
          name: 'code-frame',
          version: '7.22.13',
          licenses: ['MIT'],
          path: 'n/node_modules/@babel/code-frame/package.json',
        },
      ],
      warnings: [],
    });
    expect(ids(parseInstalledPackageJson(fixture('my-ms-alias.package.json'), 'node_modules/my-ms/package.json').packages)).toEqual([
      'ms@2.0.0',
    ]);
  });

  it('the deprecated licenses array', () => {
    const text = JSON.stringify({ name: 'old', version: '0.1.0', licenses: [{ type: 'MIT' }, { type: 'GPL-2.0' }] });
    expect(parseInstalledPackageJson(text, 'node_modules/old/package.json').packages[0].licenses).toEqual(['MIT', 'GPL-2.0']);
  });
});

describe('NpmAnalyzer', () => {
  const analyzer = new NpmAnalyzer({ maxLockfileBytes: 64 * 1024, maxManifestBytes: 64 });
  const file = (path: string, text: string, size = Buffer.byteLength(text)) => ({
    path,
    size,
    mode: 0o644,
    content: Readable.from([Buffer.from(text)]),
  });

  it('accepts app lockfiles and installed manifests only', () => {
    expect(analyzer.accepts('app/package-lock.json')).toBe(true);
    expect(analyzer.accepts('app/npm-shrinkwrap.json')).toBe(true);
    expect(analyzer.accepts('app/node_modules/.package-lock.json')).toBe(false);
    expect(analyzer.accepts('app/node_modules/x/package-lock.json')).toBe(false);
    expect(analyzer.accepts('app/package.json')).toBe(false);
    expect(analyzer.accepts('app/node_modules/x/package.json')).toBe(true);
  });

  it('analyzes a lockfile from a stream', async () => {
    const result = await analyzer.analyze(file('srv/package-lock.json', fixture('workspace.lock-v3.json')));
    expect(result.warnings).toBeUndefined();
    expect(ids(result.packages ?? [])).toEqual(WORKSPACE_INSTALL);
  });

  it('over the size limit: a warning, the stream consumed, no throw', async () => {
    const big = file('node_modules/x/package.json', JSON.stringify({ name: 'x', version: '1.0.0', readme: 'r'.repeat(100) }));
    expect(await analyzer.analyze(big)).toEqual({
      warnings: ['node_modules/x/package.json: 142 bytes is over the 64-byte limit; not read'],
    });
    expect(big.content.readableEnded).toBe(true);
    const lying = file('node_modules/x/package.json', 'x'.repeat(100), 10);
    expect(await analyzer.analyze(lying)).toEqual({
      warnings: ['node_modules/x/package.json: longer than the 64-byte limit; not read'],
    });
  });

  it('a failing stream becomes a warning', async () => {
    const broken = new Readable({
      read() {
        this.destroy(new Error('unexpected end of layer'));
      },
    });
    const result = await analyzer.analyze({ path: 'package-lock.json', size: 10, mode: 0o644, content: broken });
    expect(result).toEqual({ warnings: ['package-lock.json: unexpected end of layer'] });
  });
});
