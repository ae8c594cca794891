import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { AnalyzerResult } from '../../model';
import { BuildInfoScanner } from './buildinfo-scanner';
import { DEFAULT_GO_LIMITS, GoBinaryAnalyzer } from './golang-analyzer';
import { parseModinfo, stripModinfoSentinels } from './modinfo';
import { inlineBinary, pointerElf, wrapModinfo } from './testdata/synthetic-binary';

/** Streams `data` in chunks of `size` bytes, as a tar entry arrives. */
function chunked(data: Buffer, size: number): Readable {
  const chunks: Buffer[] = [];
  for (let at = 0; at < data.length; at += size) chunks.push(data.subarray(at, at + size));
  return Readable.from(chunks);
}

const spoolDir = mkdtempSync(join(tmpdir(), 'go-analyzer-spec-'));
afterAll(() => rmSync(spoolDir, { recursive: true, force: true }));
const analyzer = new GoBinaryAnalyzer({ ...DEFAULT_GO_LIMITS, spoolDir });

async function analyze(path: string, data: Buffer, chunkSize = 64 * 1024, mode = 0o755): Promise<AnalyzerResult> {
  const result = await analyzer.analyze({ path, size: data.length, mode, content: chunked(data, chunkSize) });
  // Whatever happened, no temporary copy is left behind.
  expect(readdirSync(spoolDir)).toEqual([]);
  return result;
}

const hasGo = spawnSync('go', ['version']).status === 0;

(hasGo ? describe : describe.skip)('a real binary built by the installed Go toolchain', () => {
  const dir = mkdtempSync(join(tmpdir(), 'go-build-'));
  // `go version` prints `go version go1.19.8 linux/amd64`.
  const toolchain = hasGo ? execFileSync('go', ['version'], { encoding: 'utf8' }).split(' ')[2] : '';
  let binary: Buffer;
  let stripped: Buffer;

  beforeAll(() => {
    writeFileSync(join(dir, 'go.mod'), 'module example.com/hello\n\ngo 1.18\n');
    writeFileSync(join(dir, 'main.go'), 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hello") }\n');
    const env = {
      ...process.env,
      GOFLAGS: '-mod=mod',
      GOPROXY: 'off',
      GOCACHE: join(dir, 'cache'),
      GOPATH: join(dir, 'gopath'),
      CGO_ENABLED: '0',
    };
    execFileSync('go', ['build', '-o', 'hello', '.'], { cwd: dir, env });
    execFileSync('go', ['build', '-ldflags=-s -w', '-o', 'hello-stripped', '.'], { cwd: dir, env });
    binary = readFileSync(join(dir, 'hello'));
    stripped = readFileSync(join(dir, 'hello-stripped'));
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reports the standard library at the toolchain version; the (devel) main module is not a package', async () => {
    expect(toolchain).toMatch(/^go\d+\.\d+/);
    expect(await analyze('usr/local/bin/hello', binary)).toEqual({
      packages: [{ type: 'golang', name: 'stdlib', version: toolchain.slice(2), path: 'usr/local/bin/hello' }],
    });
  });

  it('parses the main module and build settings as the toolchain wrote them', () => {
    const scanner = new BuildInfoScanner(DEFAULT_GO_LIMITS);
    scanner.push(binary);
    const { info, warnings } = parseModinfo(scanner.found!.goVersion, stripModinfoSentinels(scanner.found!.rawModinfo));
    expect(warnings).toEqual([]);
    expect(info.goVersion).toBe(toolchain);
    expect(info.path).toBe('example.com/hello');
    expect(info.main).toEqual({ path: 'example.com/hello', version: '(devel)' });
    expect(info.deps).toEqual([]);
    expect(info.settings.get('CGO_ENABLED')).toBe('0');
    expect(info.settings.get('GOOS')).toBe('linux');
  });

  it('a stripped binary (-s -w) still carries its build info', async () => {
    expect((await analyze('app', stripped)).packages).toEqual([
      { type: 'golang', name: 'stdlib', version: toolchain.slice(2), path: 'app' },
    ]);
  });

  it('finds it when chunk boundaries split the magic, the header or the strings', async () => {
    const at = binary.indexOf(Buffer.from('\xff Go buildinf:', 'latin1'));
    for (const cuts of [[at + 7], [at + 20, at + 33], [at + 40, at + 41, at + 60]]) {
      const bounds = [0, ...cuts, binary.length];
      const chunks = bounds.slice(1).map((end, i) => binary.subarray(bounds[i], end));
      const result = await analyzer.analyze({ path: 'b', size: binary.length, mode: 0o755, content: Readable.from(chunks) });
      expect(result.packages?.map((p) => p.version)).toEqual([toolchain.slice(2)]);
    }
    for (const size of [4093, 65_537]) {
      expect((await analyze('b', binary, size)).packages?.map((p) => p.version)).toEqual([toolchain.slice(2)]);
    }
  });
});

describe('modules and dependencies (modinfo written by hand: no module downloads here)', () => {
  const modinfo = [
    'path\tgithub.com/acme/tool/cmd/tool',
    'mod\tgithub.com/acme/tool\tv1.4.2\th1:abc=',
    'dep\tgithub.com/gorilla/mux\tv1.8.0\th1:i40aqfkR1h2SlN9hojwV5ZA91wcXFOvkdNIeFDP5koI=',
    'dep\tgolang.org/x/net\tv0.7.0\th1:old=',
    '=>\tgolang.org/x/net\tv0.17.0\th1:new=',
    'dep\tgithub.com/pkg/errors\tv0.9.1\th1:x=',
    '=>\tgithub.com/acme/errors-fork\tv0.9.2-acme.1\th1:y=',
    'dep\tgithub.com/local/thing\tv1.0.0\th1:z=',
    '=>\t../thing\t',
    'dep\tgopkg.in/yaml.v3\tv3.0.1\th1:w=',
    'build\t-compiler=gc',
    'build\tvcs.revision=0123456789abcdef',
    '',
  ].join('\n');

  it('main module, every dependency as compiled in, stdlib; a local replacement is a warning', async () => {
    const path = 'usr/bin/tool';
    expect(await analyze(path, inlineBinary('go1.21.3', modinfo), 1000)).toEqual({
      packages: [
        { type: 'golang', name: 'stdlib', version: '1.21.3', path },
        { type: 'golang', namespace: 'github.com/acme', name: 'tool', version: 'v1.4.2', path },
        { type: 'golang', namespace: 'github.com/gorilla', name: 'mux', version: 'v1.8.0', path },
        { type: 'golang', namespace: 'golang.org/x', name: 'net', version: 'v0.17.0', path },
        { type: 'golang', namespace: 'github.com/acme', name: 'errors-fork', version: 'v0.9.2-acme.1', path },
        { type: 'golang', namespace: 'gopkg.in', name: 'yaml.v3', version: 'v3.0.1', path },
      ],
      warnings: ['usr/bin/tool: github.com/local/thing v1.0.0 is replaced by the local directory ../thing; its version is unknown'],
    });
  });

  it('toolchain suffixes and development toolchains', async () => {
    const boring = await analyze('b', inlineBinary('go1.20.10 X:boringcrypto', ''));
    expect(boring.packages).toEqual([{ type: 'golang', name: 'stdlib', version: '1.20.10', path: 'b' }]);
    expect(await analyze('d', inlineBinary('devel go1.23-0123abc Tue Jan 1 00:00:00 2024 +0000', ''))).toEqual({
      warnings: [
        'd: built by toolchain "devel go1.23-0123abc Tue Jan 1 00:00:00 2024 +0000", not a Go release; standard library not reported',
      ],
    });
  });

  it('a magic look-alike before the real header (the debug/buildinfo constant) is skipped', async () => {
    const real = inlineBinary('go1.22.1', 'path\tx\nmod\tx\t(devel)\t\n');
    const lookAlike = Buffer.from('\xff Go buildinf:\x08\x02' + '\0'.repeat(16) + '\x05hello', 'latin1');
    lookAlike.copy(real, 0x1000);
    expect((await analyze('x', real, 100)).packages).toEqual([{ type: 'golang', name: 'stdlib', version: '1.22.1', path: 'x' }]);
  });
});

describe('Go 1.13–1.17 pointer format, resolved through ELF program headers', () => {
  const modinfo = wrapModinfo('path\texample.com/old\nmod\texample.com/old\tv0.3.0\th1:q=\ndep\tgithub.com/google/uuid\tv1.1.1\th1:r=\n');

  it.each([
    ['ELF64 little-endian', true, false],
    ['ELF32 big-endian', false, true],
  ])('%s', async (_name, is64, bigEndian) => {
    const binary = pointerElf({ is64, bigEndian, goVersion: 'go1.16.15', modinfo });
    expect(await analyze('old', binary, 512)).toEqual({
      packages: [
        { type: 'golang', name: 'stdlib', version: '1.16.15', path: 'old' },
        { type: 'golang', namespace: 'example.com', name: 'old', version: 'v0.3.0', path: 'old' },
        { type: 'golang', namespace: 'github.com/google', name: 'uuid', version: 'v1.1.1', path: 'old' },
      ],
    });
  });

  it('a pointer into nowhere is a warning, not a throw', async () => {
    const binary = pointerElf({ is64: true, bigEndian: false, goVersion: 'go1.16.15', modinfo });
    binary.writeBigUInt64LE(0x999999n, 0x1000 + 16);
    expect(await analyze('broken', binary)).toEqual({
      warnings: ['broken: build info at offset 4096 does not point at a Go version'],
    });
  });

  it('over the temporary copy limit: a warning', async () => {
    const small = new GoBinaryAnalyzer({ ...DEFAULT_GO_LIMITS, spoolDir, maxSpoolBytes: 1024 });
    const binary = pointerElf({ is64: true, bigEndian: false, goVersion: 'go1.16.15', modinfo });
    expect(await small.analyze({ path: 'big', size: binary.length, mode: 0o755, content: chunked(binary, 512) })).toEqual({
      warnings: ['big: pre-Go 1.18 build info cannot be read: over the 1024-byte limit for a temporary copy'],
    });
    expect(readdirSync(spoolDir)).toEqual([]);
  });
});

describe('GoBinaryAnalyzer', () => {
  it('accepts executables and binary file names', () => {
    expect(analyzer.accepts('usr/bin/x', 10, 0o755)).toBe(true);
    expect(analyzer.accepts('usr/bin/x', 10, 0o100)).toBe(true);
    expect(analyzer.accepts('etc/passwd', 10, 0o644)).toBe(false);
    expect(analyzer.accepts('app/tool.exe', 10, 0o644)).toBe(true);
    expect(analyzer.accepts('usr/lib/libgo.so.1', 10, 0o644)).toBe(true);
  });

  it('scripts and other non-binaries: nothing, the stream consumed', async () => {
    const content = chunked(Buffer.from('#!/bin/sh\necho hi\n'.repeat(10_000)), 4096);
    expect(await analyzer.analyze({ path: 'run.sh', size: 180_000, mode: 0o755, content })).toEqual({});
    expect(content.readableEnded).toBe(true);
  });

  it('a binary without build info (not Go): nothing', async () => {
    expect(await analyze('usr/bin/c', Buffer.concat([Buffer.from('7f454c46020101', 'hex'), Buffer.alloc(200_000)]))).toEqual({});
  });

  it('over the size limit: a warning, not scanned', async () => {
    const small = new GoBinaryAnalyzer({ ...DEFAULT_GO_LIMITS, maxBinaryBytes: 100 });
    const content = chunked(Buffer.alloc(1000), 100);
    expect(await small.analyze({ path: 'huge', size: 1000, mode: 0o755, content })).toEqual({
      warnings: ['huge: 1000 bytes is over the 100-byte limit; not scanned for Go build info'],
    });
    expect(content.readableEnded).toBe(true);
  });

  it('build info cut short by the end of the file; a failing stream', async () => {
    const cut = inlineBinary('go1.21.0', 'path\tx\n', 0x100, 0).subarray(0, 0x100 + 40);
    expect(await analyze('cut', cut)).toEqual({ warnings: ['cut: build info at offset 256 is cut short by the end of the file'] });
    const broken = new Readable({
      read() {
        this.destroy(new Error('unexpected end of layer'));
      },
    });
    expect(await analyzer.analyze({ path: 'b', size: 10, mode: 0o755, content: broken })).toEqual({
      warnings: ['b: unexpected end of layer'],
    });
  });
});
