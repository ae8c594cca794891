import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { runCli } from './cli';
import type { CliIo } from './io';

interface FakeIo extends CliIo {
  readonly out: string[];
  readonly err: string[];
}

function fakeIo(stdin: string | Readable = ''): FakeIo {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: (text) => void out.push(text),
    stderr: (text) => void err.push(text),
    stdin: typeof stdin === 'string' ? Readable.from([Buffer.from(stdin)]) : stdin,
  };
}

async function run(argv: string[], stdin?: string | Readable): Promise<{ status: number; stdout: string; stderr: string }> {
  const io = fakeIo(stdin);
  const status = await runCli(argv, io);
  return { status, stdout: io.out.join(''), stderr: io.err.join('') };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'cli-versions-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function pairsFile(name: string, content: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
}

describe('versions compare, one pair', () => {
  it.each([
    ['debian', '1.0-1', '1.0-1+deb12u1', '<'],
    ['debian', '1:1.0', '2.0', '>'],
    ['alpine', '1.36.1-r15', '1.36.1-r2', '>'],
    ['rpm', '0:2.17-326.el7', '2.17-326.el7', '='],
    ['npm', '1.2.3-beta.2', '1.2.3-beta.11', '<'],
    ['pypi', '1.0rc1', '1.0', '<'],
    ['go', 'go1.21.5', 'v1.21.5', '='],
    ['maven', '1.0-SNAPSHOT', '1.0', '<'],
    ['semver', '1.0.0-alpha', '1.0.0', '<'],
  ])('%s: %s vs %s is %s', async (ecosystem, a, b, expected) => {
    expect(await run(['versions', 'compare', '--ecosystem', ecosystem, a, b])).toEqual({ status: 0, stdout: `${expected}\n`, stderr: '' });
  });

  it('accepts -e and --ecosystem=', async () => {
    expect((await run(['versions', 'compare', '-e', 'rpm', '1', '2'])).stdout).toBe('<\n');
    expect((await run(['versions', 'compare', '--ecosystem=rpm', '2', '1'])).stdout).toBe('>\n');
  });

  it('takes versions that start with a hyphen after --', async () => {
    expect(await run(['versions', 'compare', '-e', 'maven', '--', '-1', '1'])).toMatchObject({ status: 0, stdout: '<\n' });
  });

  it('prints an error line naming the invalid version and exits 1', async () => {
    const result = await run(['versions', 'compare', '--ecosystem', 'debian', '1:', '1.0']);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('error: invalid debian version "1:": nothing after the colon\n');
    expect(result.stderr).toContain('invalid debian version "1:"');
  });
});

describe('versions compare --file', () => {
  it('prints one result per pair line, in order, skipping blank lines and comments', async () => {
    const file = pairsFile(
      'valid.tsv',
      [
        '# Debian security fixes',
        '1.0-1\t1.0-1+deb12u1',
        '',
        '2:1.0\t1:9.9',
        '   ',
        '1.0~rc1\t1.0',
        '  # indented comment',
        '1.0\t1.0-0',
      ].join('\n'),
    );
    expect(await run(['versions', 'compare', '--ecosystem', 'debian', '--file', file])).toEqual({
      status: 0,
      stdout: '<\n>\n<\n=\n',
      stderr: '',
    });
  });

  it('keeps output aligned when a line is invalid, carries on, and exits 1', async () => {
    const file = pairsFile('mixed.tsv', '1.0\t2.0\r\n1:\t1.0\r\n2.0\t1.0\r\na:1\t1\nno tab here\n1\t2\t3\n3.0\t3.0');
    const result = await run(['versions', 'compare', '--ecosystem', 'debian', '--file', file]);
    expect(result.status).toBe(1);
    expect(result.stdout.split('\n')).toEqual([
      '<',
      'error: invalid debian version "1:": nothing after the colon',
      '>',
      'error: invalid debian version "a:1": epoch is not a number',
      'error: expected two versions separated by a tab, found 1 field',
      'error: expected two versions separated by a tab, found 3 fields',
      '=',
      '',
    ]);
    expect(result.stderr.split('\n').filter(Boolean)).toEqual([
      `${file}:2: error: invalid debian version "1:": nothing after the colon`,
      `${file}:4: error: invalid debian version "a:1": epoch is not a number`,
      `${file}:5: error: expected two versions separated by a tab, found 1 field`,
      `${file}:6: error: expected two versions separated by a tab, found 3 fields`,
    ]);
  });

  it('reads stdin for --file -', async () => {
    const stdin = Readable.from(['1.2.3\t1.2', '.4\n', '0.0.0-20230101-abcdef\tv0.0.1\n', 'go1.21rc2\t1.21.0-rc.2']);
    expect(await run(['versions', 'compare', '-e', 'go', '--file', '-'], stdin)).toEqual({ status: 0, stdout: '<\n<\n=\n', stderr: '' });
  });

  it('reports an invalid version read from stdin as stdin', async () => {
    const result = await run(['versions', 'compare', '-e', 'semver', '-f', '-'], '1.2\t1.2.0\n');
    expect(result).toMatchObject({ status: 1, stdout: 'error: invalid semver version "1.2": expected MAJOR.MINOR.PATCH\n' });
    expect(result.stderr).toBe('stdin:1: error: invalid semver version "1.2": expected MAJOR.MINOR.PATCH\n');
  });

  it('prints nothing and exits 0 for an empty file', async () => {
    expect(await run(['versions', 'compare', '-e', 'npm', '--file', pairsFile('empty.tsv', '')])).toEqual({
      status: 0,
      stdout: '',
      stderr: '',
    });
  });

  it('streams a large file', async () => {
    const lines = Array.from({ length: 50_000 }, (_, i) => `1.${i}.0\t1.${(i * 7) % 50_000}.0`);
    const result = await run(['versions', 'compare', '-e', 'npm', '--file', pairsFile('large.tsv', lines.join('\n'))]);
    const outputs = result.stdout.split('\n');
    expect(outputs).toHaveLength(50_001);
    expect(outputs.slice(0, 3)).toEqual(['=', '<', '<']);
    expect(outputs[49_999]).toBe('>');
    expect(result.status).toBe(0);
  });
});

describe('usage errors exit 2 with a short usage', () => {
  const missing = path.join(tmpdir(), 'cli-versions-does-not-exist.tsv');
  it.each([
    [['versions', 'compare', '--ecosystem', 'cobol', '1', '2'], 'unknown ecosystem "cobol"'],
    [['versions', 'compare', '1', '2'], 'missing --ecosystem'],
    [['versions', 'compare', '--ecosystem', 'debian'], 'expected two versions to compare (or --file), got 0'],
    [['versions', 'compare', '--ecosystem', 'debian', '1.0'], 'expected two versions to compare (or --file), got 1'],
    [['versions', 'compare', '--ecosystem', 'debian', '1', '2', '3'], 'got 3'],
    [['versions', 'compare', '--ecosystem', 'debian', '--file', '-', '1', '2'], 'either --file or two versions'],
    [['versions', 'compare', '--ecosystem'], 'argument missing'],
    [['versions', 'compare', '--ecosystem', 'debian', '--verbose', '1', '2'], "Unknown option '--verbose'"],
    [['versions', 'compare', '--ecosystem', 'debian', '--file', missing], `cannot read ${missing}: no such file or directory`],
    [['versions', 'compare', '--ecosystem', 'debian', '--file', tmpdir()], `cannot read ${tmpdir()}: illegal operation on a directory`],
    [['versions', 'sort'], 'unknown command: versions sort'],
    [['versions'], 'missing command'],
    [[], 'missing command'],
  ])('%j', async (argv, message) => {
    const result = await run(argv);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(message);
    expect(result.stderr).toMatch(/^usage: cli versions compare/m);
    expect(result.stderr.split('\n').length).toBeLessThan(8);
  });
});

describe('--help', () => {
  it.each([
    [['--help']],
    [['-h']],
    [['versions', '--help']],
    [['versions', 'compare', '--help']],
    [['versions', 'compare', '-e', 'debian', '-h']],
  ])('%j prints usage to stdout and exits 0', async (argv) => {
    const result = await run(argv);
    expect(result).toMatchObject({ status: 0, stderr: '' });
    expect(result.stdout).toMatch(/^Usage:/);
    expect(result.stdout).toContain('versions compare');
  });

  it('lists the ecosystems', async () => {
    const { stdout } = await run(['versions', 'compare', '--help']);
    expect(stdout).toContain('debian | alpine | rpm | npm | pypi | go | maven | semver');
  });
});
