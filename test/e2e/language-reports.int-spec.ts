import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import semver from 'semver';
import * as yauzl from 'yauzl';
import { fixturesDir, gzipTarLayer, pushLayers, startRegistry, TestRegistry } from '@vulnscan/testing';
import { Api, waitForFeeds, waitForScan } from '../support/api';
import { TestPlatform } from '../support/platform';

interface OsvRecord {
  id: string;
  withdrawn?: string;
  affected?: {
    package: { ecosystem: string; name: string };
    ranges?: { type: string; events: Record<string, string>[] }[];
    versions?: string[];
  }[];
}

/** Every record of an osv.dev export. */
function readZip(file: string): Promise<OsvRecord[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true }, (openError, zip) => {
      if (openError || !zip) return reject(openError ?? new Error(`cannot open ${file}`));
      const records: OsvRecord[] = [];
      zip.on('error', reject);
      zip.on('end', () => resolve(records));
      zip.on('entry', (entry: yauzl.Entry) => {
        if (!entry.fileName.endsWith('.json')) return zip.readEntry();
        zip.openReadStream(entry, (streamError, stream) => {
          if (streamError || !stream) return reject(streamError ?? new Error(`cannot read ${entry.fileName}`));
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('error', reject);
          stream.on('end', () => {
            records.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as OsvRecord);
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}

/** OSV's evaluation of one range whose events are in order, as golang/vulndb writes them. */
function goAffects(events: Record<string, string>[], version: string): boolean {
  let affected = false;
  for (const event of events) {
    if (event['introduced'] !== undefined && (event['introduced'] === '0' || semver.gte(version, event['introduced']))) affected = true;
    else if (event['fixed'] !== undefined && semver.gte(version, event['fixed'])) affected = false;
    else if (event['last_affected'] !== undefined && semver.gt(version, event['last_affected'])) affected = false;
  }
  return affected;
}

/**
 * Language packages matched against the real OSV exports: a Go binary built here with Debian's
 * Go toolchain (its standard library against the `stdlib` records) and a Python distribution
 * (against PyPA's records, whose `versions` lists are the oracle).
 */
describe('language package reports', () => {
  const goZip = join(fixturesDir(), 'feeds', 'osv', 'Go', 'all.zip');
  const pypiZip = join(fixturesDir(), 'feeds', 'osv', 'PyPI', 'all.zip');
  let registry: TestRegistry;
  let platform: TestPlatform;
  let api: Api;
  let build: string;
  let goVersion: string;

  beforeAll(async () => {
    build = mkdtempSync(join(tmpdir(), 'lang-e2e-'));
    writeFileSync(join(build, 'go.mod'), 'module example.com/hello\n\ngo 1.18\n');
    writeFileSync(join(build, 'main.go'), 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("hello") }\n');
    const env = {
      ...process.env,
      GOFLAGS: '-mod=mod',
      GOPROXY: 'off',
      GOCACHE: join(build, 'cache'),
      GOPATH: join(build, 'gopath'),
      CGO_ENABLED: '0',
    };
    execFileSync('go', ['build', '-o', 'hello', '.'], { cwd: build, env });
    goVersion = execFileSync('go', ['version'], { encoding: 'utf8' }).split(' ')[2]!.replace(/^go/, '');

    registry = await startRegistry();
    platform = new TestPlatform({ INSECURE_REGISTRIES: registry.host });
    await platform.start('scan-scheduler');
    api = new Api((await platform.start('gateway')).url);
    await platform.start('scanner-worker', { VULNDB_SOURCES: `go:osv=${goZip},pypi:osv=${pypiZip}`, VULNDB_SYNC_INTERVAL_MINUTES: '0' });
    await waitForFeeds(api, 2);
  }, 180_000);

  afterAll(async () => {
    await platform?.stop();
    await registry?.stop();
    rmSync(build, { recursive: true, force: true });
  });

  it('a Go binary and a Python package: exactly the records that cover their versions', async () => {
    const layer = await gzipTarLayer([
      { name: 'usr/local/bin/hello', content: readFileSync(join(build, 'hello')), mode: 0o755 },
      {
        name: 'usr/lib/python3/dist-packages/Jinja2-2.10.dist-info/METADATA',
        content: 'Metadata-Version: 2.1\nName: Jinja2\nVersion: 2.10\n',
      },
    ]);
    await pushLayers(registry, 'lang/app', '1', [layer]);
    const created = await api.post<{ scan_id: string }>('/api/v1/scans', { image: `${registry.host}/lang/app:1` });
    expect((await waitForScan(api, created.body.scan_id)).status).toBe('completed');
    const report = (
      await api.get<{
        coverage: { ecosystem: string; coverage: string }[];
        findings: { id: string; package: { type: string; name: string; version: string }; source: string; fixed_version: string | null }[];
      }>(`/api/v1/scans/${created.body.scan_id}/report`)
    ).body;
    expect(report.coverage).toEqual([
      { ecosystem: 'Go', packages: 1, coverage: 'full' },
      { ecosystem: 'PyPI', packages: 1, coverage: 'full' },
    ]);

    // Go: every stdlib record whose ranges cover the toolchain's version, and no other.
    const goRecords = (await readZip(goZip)).filter((r) => !r.withdrawn);
    const expectedGo = goRecords
      .filter((r) =>
        (r.affected ?? []).some(
          (a) =>
            a.package.name === 'stdlib' && (a.ranges ?? []).some((range) => range.type === 'SEMVER' && goAffects(range.events, goVersion)),
        ),
      )
      .map((r) => r.id)
      .sort();
    const foundGo = report.findings
      .filter((f) => f.package.type === 'golang')
      .map((f) => f.id)
      .sort();
    expect(expectedGo.length).toBeGreaterThan(10);
    expect(foundGo).toEqual(expectedGo);
    for (const finding of report.findings.filter((f) => f.package.type === 'golang')) {
      expect(finding.package).toMatchObject({ name: 'stdlib', version: goVersion });
      if (finding.fixed_version) expect(semver.gt(finding.fixed_version, goVersion)).toBe(true);
    }

    // PyPI: PyPA lists every affected version; the ones listing Jinja2 2.10 (names compared per PEP 503).
    const expectedPypi = (await readZip(pypiZip))
      .filter(
        (r) =>
          !r.withdrawn && (r.affected ?? []).some((a) => a.package.name.toLowerCase() === 'jinja2' && (a.versions ?? []).includes('2.10')),
      )
      .map((r) => r.id)
      .sort();
    expect(expectedPypi).toEqual(['PYSEC-2019-217', 'PYSEC-2021-66']);
    const foundPypi = report.findings.filter((f) => f.package.type === 'pypi');
    expect(foundPypi.map((f) => f.id).sort()).toEqual(expectedPypi);
    expect(Object.fromEntries(foundPypi.map((f) => [f.id, f.fixed_version]))).toEqual({
      'PYSEC-2019-217': '2.10.1',
      'PYSEC-2021-66': '2.11.3',
    });
  });
});
