import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixturesDir, gzipTarLayer, pushImage, pushLayers, startRegistry, TestRegistry } from '@vulnscan/testing';
import { apk } from '@vulnscan/versions';
import { Api, waitForFeeds, waitForScan } from '../support/api';
import { TestPlatform, waitFor } from '../support/platform';

interface FindingView {
  id: string;
  aliases: string[];
  source: string;
  package: { type: string; name: string; version: string; purl: string | null; path: string; layer: string | null };
  ecosystem: string;
  installed_version: string;
  fixed_version: string | null;
  fixable: boolean;
  severity: string;
  severity_source: string;
}

interface ReportView {
  scan_id: string;
  report_id: string;
  vulndb_version: string | null;
  summary: { total: number; fixable: number; by_severity: Record<string, number> };
  coverage: { ecosystem: string; packages: number; coverage: string }[];
  findings: FindingView[];
}

interface Secdb {
  packages: { pkg: { name: string; secfixes?: Record<string, string[]> } }[];
}

/**
 * Vulnerability reports end to end: real scans of real images matched against real feeds,
 * every finding checked against the feed itself.
 */
describe('vulnerability reports', () => {
  let registry: TestRegistry;
  let platform: TestPlatform;
  let api: Api;
  let scratch: string;
  let alpineImage: string;

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'reports-e2e-'));
    cpSync(join(fixturesDir(), 'feeds', 'alpine-secdb', 'v3.10'), join(scratch, 'alpine-v3.10'), { recursive: true });
    mkdirSync(join(scratch, 'osv-extra'));
    registry = await startRegistry();
    await pushImage(join(fixturesDir(), 'images/alpine-310.docker.tar.gz'), registry, 'library/alpine:3.10');
    alpineImage = `${registry.host}/library/alpine:3.10`;
    platform = new TestPlatform({ INSECURE_REGISTRIES: registry.host });
    await platform.start('scan-scheduler');
    api = new Api((await platform.start('gateway')).url);
    await platform.start('scanner-worker', {
      VULNDB_SOURCES: [
        `alpine-secdb=${join(scratch, 'alpine-v3.10')}`,
        `debian-oval=${join(fixturesDir(), 'feeds', 'debian-oval', 'oval-definitions-bookworm.xml.bz2')}`,
        // OSV records the tests write themselves, synced on request.
        `extra:osv=${join(scratch, 'osv-extra')}`,
      ].join(','),
      VULNDB_SYNC_INTERVAL_MINUTES: '0',
    });
    await waitForFeeds(api, 3);
  });

  afterAll(async () => {
    await platform?.stop();
    await registry?.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  const scanAndReport = async (image: string, query = ''): Promise<ReportView> => {
    const created = await api.post<{ scan_id: string }>('/api/v1/scans', { image, force_rescan: true });
    const scan = await waitForScan(api, created.body.scan_id);
    expect(scan).toMatchObject({ status: 'completed', error: null });
    const report = await api.get<ReportView>(`/api/v1/scans/${created.body.scan_id}/report${query}`);
    expect(report.status).toBe(200);
    return report.body;
  };

  /** What the secdb says about each installed package, computed here from the feed files alone. */
  function expectedFromSecdb(dir: string, installed: { origin: string; version: string }[]): string[] {
    const expected = new Set<string>();
    for (const file of readdirSync(dir)) {
      const secdb = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Secdb;
      for (const { pkg } of secdb.packages) {
        for (const { origin, version } of installed.filter((p) => p.origin === pkg.name)) {
          const fixes = new Map<string, string[]>();
          for (const [fixed, ids] of Object.entries(pkg.secfixes ?? {})) {
            if (fixed === '0') continue;
            for (const cve of ids.flatMap((entry) => entry.split(/\s+/)).filter((id) => /^CVE-\d{4}-\d+$/.test(id))) {
              fixes.set(cve, [...(fixes.get(cve) ?? []), fixed]);
            }
          }
          for (const [cve, fixedVersions] of fixes) {
            const above = fixedVersions.filter((fixed) => apk.compare(version, fixed) < 0).sort((a, b) => apk.compare(a, b));
            if (above.length) expected.add(`${origin} ${version} ${cve} ${above[0]}`);
          }
        }
      }
    }
    return [...expected].sort();
  }

  it('alpine:3.10 against the v3.10 secdb: exactly the vulnerabilities the feed lists above each installed version', async () => {
    const report = await scanAndReport(alpineImage);
    expect(report.coverage).toEqual([{ ecosystem: 'Alpine:v3.10', packages: 14, coverage: 'full' }]);
    expect(report.vulndb_version).not.toBeNull();

    const packages = await platform.query<{ source_name: string; source_version: string; name: string }>(
      `SELECT DISTINCT p.name, coalesce(p.source_name, p.name) AS source_name, coalesce(p.source_version, p.version) AS source_version
       FROM worker.sbom_packages p JOIN worker.reports r ON r.manifest_digest = p.manifest_digest AND r.analyzer_version = p.analyzer_version
       WHERE r.id = $1`,
      [report.report_id],
    );
    expect(packages).toHaveLength(14);
    const installed = packages.map((p) => ({ origin: p.source_name, version: p.source_version }));
    const expected = expectedFromSecdb(join(scratch, 'alpine-v3.10'), [...new Map(installed.map((p) => [p.origin, p])).values()]);
    // Each finding is one CVE of one installed package: compare by origin, CVE and first fix.
    const byOrigin = new Map(packages.map((p) => [p.name, p.source_name]));
    const found = [
      ...new Set(report.findings.map((f) => `${byOrigin.get(f.package.name)} ${f.installed_version} ${f.id} ${f.fixed_version}`)),
    ].sort();
    expect(found).toEqual(expected);
    expect(found.length).toBeGreaterThan(10);
    // openssl's two binary packages each carry openssl's vulnerabilities; nothing at or above a fix.
    expect(
      report.findings
        .filter((f) => f.id === 'CVE-2020-1967')
        .map((f) => f.package.name)
        .sort(),
    ).toEqual(['libcrypto1.1', 'libssl1.1']);
    for (const finding of report.findings) {
      expect(apk.compare(finding.installed_version, finding.fixed_version!)).toBeLessThan(0);
      expect(finding).toMatchObject({ source: 'alpine-secdb', ecosystem: 'Alpine:v3.10', fixable: true, severity: 'Unknown' });
    }
    expect(report.summary).toMatchObject({ total: report.findings.length, fixable: report.findings.length });
    expect(report.summary.by_severity.Unknown).toBe(report.findings.length);

    // Filters: fixability and severity; a bad value names the parameter.
    const unfixable = await api.get<ReportView>(`/api/v1/scans/${report.scan_id}/report?fixable=false`);
    expect(unfixable.body.findings).toEqual([]);
    const high = await api.get<ReportView>(`/api/v1/scans/${report.scan_id}/report?severity=High,Critical`);
    expect(high.body.findings).toEqual([]);
    expect(high.body.summary.total).toBe(report.findings.length);
    const bad = await api.get<{ code: string; fields: string[] }>(`/api/v1/scans/${report.scan_id}/report?severity=Bogus`);
    expect(bad.status).toBe(400);
  });

  it('a Debian 12 image against the Debian OVAL: binary packages of affected sources are found, a binary named like an affected source is not', async () => {
    const status = readFileSync(join(fixturesDir(), 'pkgdb', 'dpkg-debian12-minbase.status'), 'utf8');
    // A package whose own name is an affected SOURCE in the OVAL (openssl) but which is built from another source.
    const impostor = [
      'Package: openssl',
      'Status: install ok installed',
      'Priority: optional',
      'Architecture: amd64',
      'Source: not-openssl (0.1-1)',
      'Version: 0.1-1',
      'Description: a package named like an affected source',
      '',
    ].join('\n');
    const layer = await gzipTarLayer([
      {
        name: 'etc/os-release',
        content: 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n',
      },
      { name: 'var/lib/dpkg/status', content: `${status.trimEnd()}\n\n${impostor}` },
    ]);
    await pushLayers(registry, 'debian/minbase', '12', [layer]);
    const report = await scanAndReport(`${registry.host}/debian/minbase:12`);
    expect(report.coverage).toEqual([{ ecosystem: 'Debian:12', packages: 101, coverage: 'full' }]);
    expect(report.findings.every((f) => f.source === 'debian-oval' && f.ecosystem === 'Debian:12')).toBe(true);
    // libssl3 is built from openssl: openssl's OVAL definitions reach it.
    const libssl = report.findings.filter((f) => f.package.name === 'libssl3');
    expect(libssl.length).toBeGreaterThan(0);
    const opensslDefinitions = await platform.query<{ id: string }>(
      `SELECT DISTINCT a.id FROM worker.affected_packages p JOIN worker.advisories a USING (feed, key)
       WHERE p.ecosystem = 'Debian:12' AND p.name = 'openssl'`,
    );
    expect(libssl.every((f) => opensslDefinitions.some((d) => d.id === f.id))).toBe(true);
    // The impostor named openssl (source not-openssl) is not matched by openssl's definitions.
    expect(report.findings.filter((f) => f.package.name === 'openssl')).toEqual([]);
    // Unfixed vulnerabilities (the OVAL's "earlier than 0") are reported without a fix.
    const unfixed = report.findings.filter((f) => !f.fixable);
    expect(unfixed.length).toBeGreaterThan(0);
    expect(unfixed.every((f) => f.fixed_version === null)).toBe(true);
    // The OVAL states no severity: every finding is Unknown until another record of the same CVE says one.
    expect(report.findings.every((f) => f.severity === 'Unknown')).toBe(true);

    // A record of another ecosystem sharing one of libssl3's CVEs gives it a severity (by alias).
    const cve = libssl[0]!.id;
    writeFileSync(
      join(scratch, 'osv-extra', 'GHSA-test-0001-0001.json'),
      JSON.stringify({
        id: 'GHSA-test-0001-0001',
        modified: '2026-01-01T00:00:00Z',
        aliases: [cve],
        database_specific: { severity: 'CRITICAL' },
        affected: [{ package: { ecosystem: 'npm', name: 'vulnscan-test-package' }, versions: ['1.0.0'] }],
      }),
    );
    const before = (await api.get<{ version: string }>('/api/v1/vulndb')).body.version;
    await api.post('/api/v1/vulndb/sync', { feeds: ['extra'] });
    await waitFor(async () => (await api.get<{ version: string }>('/api/v1/vulndb')).body.version !== before, {
      timeoutMs: 60_000,
      intervalMs: 250,
      what: 'the extra feed to be imported',
    });
    const again = await scanAndReport(`${registry.host}/debian/minbase:12`);
    const rated = again.findings.filter((f) => f.id === cve);
    expect(rated.map((f) => [f.package.name, f.severity, f.severity_source])).toEqual(
      expect.arrayContaining([['libssl3', 'Critical', 'alias']]),
    );
    expect(rated.every((f) => f.severity === 'Critical')).toBe(true);
    expect(again.summary.by_severity.Critical).toBe(rated.length);
  });

  it('a feed update re-matches only the images it affects, from their stored SBOMs, without a registry request', async () => {
    const first = await scanAndReport(alpineImage);
    const debianImage = `${registry.host}/debian/minbase:12`;
    // With the registry gone, only a re-match that never calls it can complete.
    await registry.stop();
    const file = join(scratch, 'alpine-v3.10', 'main.json');
    const secdb = JSON.parse(readFileSync(file, 'utf8')) as Secdb;
    const musl = secdb.packages.find((p) => p.pkg.name === 'musl')!;
    musl.pkg.secfixes = { ...musl.pkg.secfixes, '1.1.99-r0': ['CVE-2099-12345'] };
    writeFileSync(file, JSON.stringify(secdb));
    await api.post('/api/v1/vulndb/sync', { feeds: ['alpine-secdb'] });

    const rematch = await waitFor(
      async () => {
        const { body } = await api.get<{ items: { scan_id: string; trigger: string; status: string }[] }>(
          `/api/v1/images/${encodeURIComponent(alpineImage)}/scans?limit=5`,
        );
        const latest = body.items[0];
        return latest?.trigger === 'vulndb_update' && ['completed', 'failed'].includes(latest.status) ? latest : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250, what: 'a vulndb_update scan of the alpine image' },
    );
    const second = (await api.get<ReportView>(`/api/v1/scans/${rematch.scan_id}/report`)).body;
    expect(rematch.status).toBe('completed');
    expect(BigInt(second.vulndb_version!)).toBeGreaterThan(BigInt(first.vulndb_version!));
    // The Debian image has no musl: it gets no re-match.
    const debianScans = await api.get<{ items: { trigger: string }[] }>(`/api/v1/images/${encodeURIComponent(debianImage)}/scans`);
    expect(debianScans.body.items.map((scan) => scan.trigger)).toEqual(['api', 'api']);

    const reference = encodeURIComponent(alpineImage);
    const diff = await api.get<{ new: FindingView[]; fixed: FindingView[]; unchanged: FindingView[] }>(
      `/api/v1/images/${reference}/diff?from=${first.scan_id}&to=${second.scan_id}`,
    );
    expect(diff.status).toBe(200);
    // musl's two binary packages (musl, musl-utils) both gain it.
    expect(diff.body.new.map((f) => [f.id, f.package.name, f.fixed_version]).sort()).toEqual([
      ['CVE-2099-12345', 'musl', '1.1.99-r0'],
      ['CVE-2099-12345', 'musl-utils', '1.1.99-r0'],
    ]);
    expect(diff.body.fixed).toEqual([]);
    expect(diff.body.unchanged).toHaveLength(first.findings.length);
    // The reverse diff: the same finding is "fixed".
    const reverse = await api.get<{ new: FindingView[]; fixed: FindingView[] }>(
      `/api/v1/images/${reference}/diff?from=${second.scan_id}&to=${first.scan_id}`,
    );
    expect(reverse.body.fixed.map((f) => f.id)).toEqual(['CVE-2099-12345', 'CVE-2099-12345']);
    // Scans of another image are refused.
    const other = await api.get(`/api/v1/images/${encodeURIComponent(debianImage)}/diff?from=${first.scan_id}&to=${second.scan_id}`);
    expect(other.status).toBe(400);
  });
});
