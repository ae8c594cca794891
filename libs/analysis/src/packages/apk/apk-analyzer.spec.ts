import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { fixturesDir } from '@vulnscan/testing';
import { apkAnalyzer, createApkAnalyzer } from './apk-analyzer';

const INSTALLED = 'lib/apk/db/installed';

/** Extracts one file of the single-layer alpine:3.10 `docker save` fixture. */
function alpine310File(file: string): Buffer {
  const archive = path.join(fixturesDir(), 'images', 'alpine-310.docker.tar.gz');
  const manifest = JSON.parse(execFileSync('tar', ['-xzOf', archive, 'manifest.json']).toString()) as Array<{ Layers: string[] }>;
  return execFileSync('sh', ['-c', 'tar -xzOf "$1" "$2" | tar -xOf - "$3"', 'sh', archive, manifest[0].Layers[0], file]);
}

interface GoldenPackage {
  Name: string;
  Version: string;
  Arch: string;
  SrcName: string;
  SrcVersion: string;
  Licenses: string[];
}

describe('apkAnalyzer on the alpine-310 image', () => {
  const analyzed = (async () => {
    const data = alpine310File(INSTALLED);
    return apkAnalyzer.analyze({ path: INSTALLED, size: data.length, mode: 0o644, content: Readable.from([data]) });
  })();

  it('finds its 14 packages exactly as its apk database records them', async () => {
    const { packages, warnings } = await analyzed;
    expect(warnings).toBeUndefined();
    const rows = packages!.map((p) => [p.name, p.version, p.arch, p.source?.name, p.source?.version, p.licenses?.join('|')]);
    expect(rows).toEqual([
      ['musl', '1.1.22-r3', 'x86_64', 'musl', '1.1.22-r3', 'MIT'],
      ['busybox', '1.30.1-r3', 'x86_64', 'busybox', '1.30.1-r3', 'GPL-2.0'],
      ['alpine-baselayout', '3.1.2-r0', 'x86_64', 'alpine-baselayout', '3.1.2-r0', 'GPL-2.0-only'],
      ['alpine-keys', '2.1-r2', 'x86_64', 'alpine-keys', '2.1-r2', 'MIT'],
      ['libcrypto1.1', '1.1.1d-r2', 'x86_64', 'openssl', '1.1.1d-r2', 'OpenSSL'],
      ['libssl1.1', '1.1.1d-r2', 'x86_64', 'openssl', '1.1.1d-r2', 'OpenSSL'],
      ['ca-certificates-cacert', '20190108-r0', 'x86_64', 'ca-certificates', '20190108-r0', 'MPL-2.0 GPL-2.0-or-later'],
      ['libtls-standalone', '2.9.1-r0', 'x86_64', 'libtls-standalone', '2.9.1-r0', 'ISC'],
      ['ssl_client', '1.30.1-r3', 'x86_64', 'busybox', '1.30.1-r3', 'GPL-2.0'],
      ['zlib', '1.2.11-r1', 'x86_64', 'zlib', '1.2.11-r1', 'zlib'],
      ['apk-tools', '2.10.4-r2', 'x86_64', 'apk-tools', '2.10.4-r2', 'GPL2'],
      ['scanelf', '1.2.3-r0', 'x86_64', 'pax-utils', '1.2.3-r0', 'GPL-2.0'],
      ['musl-utils', '1.1.22-r3', 'x86_64', 'musl', '1.1.22-r3', 'MIT BSD GPL2+'],
      ['libc-utils', '0.7.1-r0', 'x86_64', 'libc-dev', '0.7.1-r0', 'BSD'],
    ]);
  });

  /**
   * The golden is trivy's for its own alpine:3.10 test image, an earlier build than this fixture
   * (whose os-release says 3.10.4): busybox/ssl_client and openssl were rebuilt in between. Names,
   * arches and sources match one to one; those four versions are the only differences. Licenses
   * are compared raw above: trivy rewrites `L:` into SPDX ids (`GPL2` → `GPL-2.0-only`,
   * `MIT BSD GPL2+` → three entries), which is a guess we leave to the SBOM layer.
   */
  it('matches trivy’s alpine-310 golden except for the four packages rebuilt since', async () => {
    const golden = JSON.parse(
      readFileSync(path.join(fixturesDir(), 'images', 'alpine-310.packages.golden.json'), 'utf8'),
    ) as GoldenPackage[];
    const { packages } = await analyzed;
    const ours = new Map(packages!.map((p) => [p.name, p]));
    expect([...ours.keys()].sort()).toEqual(golden.map((g) => g.Name).sort());
    const differences: string[] = [];
    for (const g of golden) {
      const p = ours.get(g.Name)!;
      expect([p.arch, p.source?.name]).toEqual([g.Arch, g.SrcName]);
      if (p.version !== g.Version || p.source?.version !== g.SrcVersion) differences.push(`${g.Name} ${g.Version} → ${p.version}`);
    }
    expect(differences).toEqual([
      'busybox 1.30.1-r2 → 1.30.1-r3',
      'libcrypto1.1 1.1.1c-r0 → 1.1.1d-r2',
      'libssl1.1 1.1.1c-r0 → 1.1.1d-r2',
      'ssl_client 1.30.1-r2 → 1.30.1-r3',
    ]);
  });
});

describe('apkAnalyzer', () => {
  it('accepts only the installed database', () => {
    expect(apkAnalyzer.accepts(INSTALLED, 1, 0o644)).toBe(true);
    expect(apkAnalyzer.accepts('lib/apk/db/triggers', 1, 0o644)).toBe(false);
    expect(apkAnalyzer.accepts('usr/lib/apk/db/installed', 1, 0o644)).toBe(false);
  });

  it('over the size limit: a warning and no packages', async () => {
    const text = 'P:a\nV:1-r0\n';
    expect(
      await createApkAnalyzer({ maxBytes: 4 }).analyze({ path: INSTALLED, size: text.length, mode: 0o644, content: Readable.from([text]) }),
    ).toEqual({ warnings: [`${INSTALLED}: ${text.length} bytes, over the 4-byte limit; not read`] });
  });
});
