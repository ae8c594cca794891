import type { OsInfo } from '@vulnscan/analysis';
import type { Advisory } from '../model';
import { indexCandidates } from './candidate-index';
import { matchPackages } from './match-packages';
import type { Candidate, MatchPackage } from './types';
import {
  ALPINE_318,
  CVSS_CRITICAL,
  CVSS_MEDIUM,
  DEBIAN_12,
  UBUNTU_2204,
  advisory,
  affected,
  candidates,
  deb,
  fixedIn,
} from './test-support/records';

const ids = (result: ReturnType<typeof matchPackages>): string[] => result.findings.map((f) => `${f.package.name}:${f.id}`);

describe('matchPackages', () => {
  describe('Debian 12', () => {
    const opensslAdvisory = advisory({
      id: 'CVE-2023-5678',
      source: 'debian-oval',
      key: 'CVE-2023-5678/bookworm',
      affected: [fixedIn('Debian:12', 'openssl', '3.0.13-1~deb12u1')],
    });

    it('finds a binary package through its source package', () => {
      const libssl = deb('libssl3', '3.0.11-1~deb12u2', { name: 'openssl', version: '3.0.11-1~deb12u2' });
      const result = matchPackages({ packages: [libssl], os: DEBIAN_12, candidates: candidates(opensslAdvisory, 'debian') });
      expect(result.findings).toHaveLength(1);
      expect(result.findings[0]).toMatchObject({
        id: 'CVE-2023-5678',
        feed: 'debian',
        package: { type: 'deb', name: 'libssl3', version: '3.0.11-1~deb12u2', path: 'var/lib/dpkg/status' },
        ecosystem: 'Debian:12',
        matchedName: 'openssl',
        installedVersion: '3.0.11-1~deb12u2',
        fixedVersion: '3.0.13-1~deb12u1',
        severity: 'Unknown',
        severitySource: 'none',
        sources: ['CVE-2023-5678'],
      });
    });

    it('does not find a binary package named like an affected source package but built from another', () => {
      // a binary `openssl` package whose real source is something else entirely
      const impostor = deb('openssl', '3.0.11-1~deb12u2', { name: 'openssl-compat', version: '3.0.11-1~deb12u2' });
      const result = matchPackages({ packages: [impostor], os: DEBIAN_12, candidates: candidates(opensslAdvisory, 'debian') });
      expect(result.findings).toEqual([]);
    });

    it('compares the source version of a binNMU', () => {
      const glibc = advisory({ id: 'CVE-2023-4911', source: 'debian-oval', affected: [fixedIn('Debian:12', 'glibc', '2.36-9+deb12u3')] });
      const libc = deb('libc6', '2.36-9+deb12u3+b1', { name: 'glibc', version: '2.36-9+deb12u3' });
      const old = deb('libc-bin', '2.36-9+deb12u1+b1', { name: 'glibc', version: '2.36-9+deb12u1' });
      const result = matchPackages({ packages: [libc, old], os: DEBIAN_12, candidates: candidates(glibc) });
      expect(ids(result)).toEqual(['libc-bin:CVE-2023-4911']);
      expect(result.findings[0]!.installedVersion).toBe('2.36-9+deb12u1');
    });

    it('gives every binary of one source its own finding', () => {
      const packages = ['libssl3', 'openssl', 'libssl-dev'].map((name) =>
        deb(name, '3.0.11-1~deb12u2', { name: 'openssl', version: '3.0.11-1~deb12u2' }),
      );
      const result = matchPackages({ packages, os: DEBIAN_12, candidates: candidates(opensslAdvisory) });
      expect(ids(result)).toEqual(['libssl-dev:CVE-2023-5678', 'libssl3:CVE-2023-5678', 'openssl:CVE-2023-5678']);
      result.findings[0]!.references.push('mutated');
      expect(result.findings[1]!.references).toEqual([]);
    });

    it('does not match another Debian release', () => {
      const debian11 = advisory({ id: 'CVE-1', affected: [fixedIn('Debian:11', 'openssl')] });
      const libssl = deb('libssl3', '3.0.11-1~deb12u2', { name: 'openssl', version: '3.0.11-1~deb12u2' });
      expect(matchPackages({ packages: [libssl], os: DEBIAN_12, candidates: candidates(debian11) }).findings).toEqual([]);
    });
  });

  describe('merging', () => {
    const libssl = deb('libssl3', '3.0.11-1~deb12u2', { name: 'openssl', version: '3.0.11-1~deb12u2' });
    const dla = advisory({
      id: 'DLA-3600-1',
      aliases: ['CVE-2023-9999'],
      summary: 'openssl security update',
      cvss: [CVSS_CRITICAL],
      references: ['https://security-tracker.debian.org/tracker/DLA-3600-1'],
      affected: [fixedIn('Debian:12', 'openssl', '3.0.11-1~deb12u3')],
    });
    const oval = advisory({
      id: 'CVE-2023-9999',
      source: 'debian-oval',
      key: 'CVE-2023-9999/bookworm',
      references: ['https://security-tracker.debian.org/tracker/CVE-2023-9999'],
      affected: [fixedIn('Debian:12', 'openssl', '3.0.11-1~deb12u4')],
    });
    const all: Candidate[] = [...candidates(dla, 'osv-debian'), ...candidates(oval, 'debian-oval')];

    it('merges records sharing an id into one finding, the distribution feed winning', () => {
      const result = matchPackages({ packages: [libssl], os: DEBIAN_12, candidates: all });
      expect(result.findings).toHaveLength(1);
      expect(result.findings[0]).toMatchObject({
        id: 'CVE-2023-9999',
        feed: 'debian-oval',
        aliases: ['DLA-3600-1'],
        fixedVersion: '3.0.11-1~deb12u4',
        // the OVAL record states no severity and has no vector: the OSV record's CVSS decides
        severity: 'Critical',
        severitySource: 'alias',
        cvss: CVSS_CRITICAL,
        summary: 'openssl security update',
        references: ['https://security-tracker.debian.org/tracker/CVE-2023-9999', 'https://security-tracker.debian.org/tracker/DLA-3600-1'],
        sources: ['CVE-2023-9999', 'DLA-3600-1'],
      });
      // input order does not matter
      expect(matchPackages({ packages: [libssl], os: DEBIAN_12, candidates: [...all].reverse() })).toEqual(result);
    });

    it("keeps the distribution's word when it knows no fix but another record does", () => {
      const unfixedOval = { ...oval, affected: [fixedIn('Debian:12', 'openssl')] };
      const result = matchPackages({
        packages: [libssl],
        os: DEBIAN_12,
        candidates: [...candidates(dla, 'osv'), ...candidates(unfixedOval, 'oval')],
      });
      expect(result.findings).toHaveLength(1);
      expect(result.findings[0]!.id).toBe('CVE-2023-9999');
      expect(result.findings[0]!.fixedVersion).toBeUndefined();
    });

    it('takes another record fix when the winner is no distribution feed and knows none', () => {
      const ghsa = advisory({
        id: 'GHSA-aaaa',
        aliases: ['CVE-2024-1'],
        cvss: [CVSS_MEDIUM],
        affected: [affected('npm', 'x', [{ introduced: '0' }])],
      });
      const other = advisory({ id: 'OSV-2024-1', aliases: ['CVE-2024-1'], affected: [fixedIn('npm', 'x', '1.5.0')] });
      const pkg: MatchPackage = { type: 'npm', name: 'x', version: '1.0.0', path: 'node_modules/x/package.json' };
      const result = matchPackages({ packages: [pkg], candidates: [...candidates(other), ...candidates(ghsa)] });
      expect(result.findings).toHaveLength(1);
      // the record with a CVSS vector wins among equals
      expect(result.findings[0]).toMatchObject({
        id: 'GHSA-aaaa',
        fixedVersion: '1.5.0',
        severity: 'Medium',
        severitySource: 'cvss',
        aliases: ['CVE-2024-1', 'OSV-2024-1'],
      });
    });

    it('merges transitively and keeps unrelated records apart', () => {
      const a = advisory({ id: 'GHSA-1', aliases: ['CVE-1'], affected: [fixedIn('npm', 'x', '2.0.0')] });
      const b = advisory({ id: 'OSV-B', aliases: ['CVE-1', 'CVE-2'], affected: [fixedIn('npm', 'x', '2.0.0')] });
      const c = advisory({ id: 'GHSA-3', aliases: ['CVE-2'], affected: [fixedIn('npm', 'x', '2.0.0')] });
      const d = advisory({ id: 'GHSA-4', aliases: ['CVE-4'], affected: [fixedIn('npm', 'x', '2.0.0')] });
      const pkg: MatchPackage = { type: 'npm', name: 'x', version: '1.0.0', path: 'node_modules/x/package.json' };
      const result = matchPackages({ packages: [pkg], candidates: [a, b, c, d].flatMap((adv) => candidates(adv)) });
      expect(result.findings.map((f) => [f.id, f.aliases])).toEqual([
        ['GHSA-1', ['CVE-1', 'CVE-2', 'GHSA-3', 'OSV-B']],
        ['GHSA-4', ['CVE-4']],
      ]);
    });

    it('never merges across package instances', () => {
      const adv = advisory({ id: 'GHSA-1', affected: [fixedIn('npm', 'x', '2.0.0')] });
      const one: MatchPackage = { type: 'npm', name: 'x', version: '1.0.0', path: 'a/node_modules/x/package.json' };
      const two: MatchPackage = { ...one, path: 'b/node_modules/x/package.json' };
      const dup: MatchPackage = { ...one };
      const result = matchPackages({ packages: [two, one, dup], candidates: candidates(adv) });
      expect(result.findings.map((f) => f.package.path)).toEqual(['a/node_modules/x/package.json', 'b/node_modules/x/package.json']);
    });

    it('lets feedPriority rank feeds of one kind', () => {
      const a = advisory({ id: 'GHSA-1', aliases: ['CVE-1'], cvss: [CVSS_CRITICAL], affected: [fixedIn('npm', 'x', '2.0.0')] });
      const b = advisory({ id: 'OSV-1', aliases: ['CVE-1'], affected: [fixedIn('npm', 'x', '2.0.1')] });
      const pkg: MatchPackage = { type: 'npm', name: 'x', version: '1.0.0', path: 'p' };
      const input = { packages: [pkg], candidates: [...candidates(a, 'ghsa'), ...candidates(b, 'mirror')] };
      expect(matchPackages(input).findings[0]!.id).toBe('GHSA-1');
      const preferred = matchPackages({ ...input, feedPriority: ['mirror'] }).findings[0]!;
      expect(preferred).toMatchObject({
        id: 'OSV-1',
        feed: 'mirror',
        fixedVersion: '2.0.1',
        severity: 'Critical',
        severitySource: 'alias',
      });
    });
  });

  describe('severity', () => {
    const pkg: MatchPackage = { type: 'npm', name: 'x', version: '1.0.0', path: 'p' };
    const run = (advisories: Advisory[], severityByAlias?: Map<string, 'Low' | 'High'>) =>
      matchPackages({
        packages: [pkg],
        candidates: advisories.flatMap((adv) => candidates(adv)),
        ...(severityByAlias ? { severityByAlias } : {}),
      }).findings[0]!;

    it('prefers the severity the record states, per package over per record', () => {
      const adv = advisory({
        id: 'GHSA-1',
        severity: 'Low',
        cvss: [CVSS_CRITICAL],
        affected: [{ ...fixedIn('npm', 'x', '2.0.0'), severity: 'High' }],
      });
      expect(run([adv])).toMatchObject({ severity: 'High', severitySource: 'feed', cvss: CVSS_CRITICAL });
      expect(run([{ ...adv, affected: [fixedIn('npm', 'x', '2.0.0')] }])).toMatchObject({ severity: 'Low', severitySource: 'feed' });
    });

    it('computes it from the best CVSS vector', () => {
      expect(run([advisory({ id: 'GHSA-1', cvss: [CVSS_MEDIUM], affected: [fixedIn('npm', 'x', '2.0.0')] })])).toMatchObject({
        severity: 'Medium',
        severitySource: 'cvss',
        cvss: CVSS_MEDIUM,
      });
    });

    it('looks it up by alias, most severe first, when no merged record has one', () => {
      const adv = advisory({ id: 'GHSA-1', aliases: ['CVE-1', 'CVE-2'], severity: 'Unknown', affected: [fixedIn('npm', 'x', '2.0.0')] });
      const finding = run(
        [adv],
        new Map([
          ['CVE-1', 'Low'],
          ['CVE-2', 'High'],
        ]),
      );
      expect(finding).toMatchObject({ severity: 'High', severitySource: 'alias' });
      expect(finding.cvss).toBeUndefined();
      expect(run([adv])).toMatchObject({ severity: 'Unknown', severitySource: 'none' });
    });
  });

  describe('one hit and one miss per ecosystem', () => {
    it('Ubuntu', () => {
      const adv = advisory({ id: 'UBUNTU-CVE-2023-1', affected: [fixedIn('Ubuntu:22.04:LTS', 'openssl', '3.0.2-0ubuntu1.12')] });
      const hit = deb('libssl3', '3.0.2-0ubuntu1.10', { name: 'openssl', version: '3.0.2-0ubuntu1.10' });
      const miss = deb('openssl', '3.0.2-0ubuntu1.12', { name: 'openssl', version: '3.0.2-0ubuntu1.12' });
      const result = matchPackages({ packages: [hit, miss], os: UBUNTU_2204, candidates: candidates(adv) });
      expect(ids(result)).toEqual(['libssl3:UBUNTU-CVE-2023-1']);
      expect(result.findings[0]!.fixedVersion).toBe('3.0.2-0ubuntu1.12');
    });

    it('Alpine', () => {
      const adv = advisory({
        id: 'CVE-2023-42363',
        source: 'alpine-secdb',
        key: 'v3.18/main/busybox/CVE-2023-42363',
        affected: [fixedIn('Alpine:v3.18', 'busybox', '1.36.1-r7')],
      });
      const at = (name: string, version: string): MatchPackage => ({
        type: 'apk',
        name,
        version,
        source: { name: 'busybox', version },
        path: 'lib/apk/db/installed',
      });
      const result = matchPackages({
        packages: [at('ssl_client', '1.36.1-r5'), at('busybox-binsh', '1.36.1-r7')],
        os: ALPINE_318,
        candidates: candidates(adv),
      });
      expect(ids(result)).toEqual(['ssl_client:CVE-2023-42363']);
      // the same record does not reach Alpine 3.19
      expect(
        matchPackages({ packages: [at('ssl_client', '1.36.1-r5')], os: { ...ALPINE_318, version: '3.19.1' }, candidates: candidates(adv) })
          .findings,
      ).toEqual([]);
    });

    it('npm', () => {
      const adv = advisory({
        id: 'GHSA-67hx-6x53-jw92',
        affected: [
          affected('npm', '@babel/traverse', [
            { introduced: '0' },
            { fixed: '7.23.2' },
            { introduced: '8.0.0-alpha.0' },
            { fixed: '8.0.0-alpha.4' },
          ]),
        ],
      });
      const at = (version: string): MatchPackage => ({
        type: 'npm',
        namespace: '@babel',
        name: 'traverse',
        version,
        path: `n/${version}/package.json`,
      });
      const other: MatchPackage = { type: 'npm', name: 'traverse', version: '0.6.6', path: 'n/traverse/package.json' };
      const result = matchPackages({ packages: [at('7.22.0'), at('7.23.2'), other], candidates: candidates(adv) });
      expect(result.findings.map((f) => [f.matchedName, f.installedVersion, f.fixedVersion])).toEqual([
        ['@babel/traverse', '7.22.0', '7.23.2'],
      ]);
    });

    it('Maven', () => {
      const adv = advisory({
        id: 'GHSA-jfh8-c2jp-5v3q',
        aliases: ['CVE-2021-44228'],
        affected: [affected('Maven', 'org.apache.logging.log4j:log4j-core', [{ introduced: '2.0-beta9' }, { fixed: '2.15.0' }])],
      });
      const at = (version: string): MatchPackage => ({
        type: 'maven',
        namespace: 'org.apache.logging.log4j',
        name: 'log4j-core',
        version,
        path: `app/log4j-core-${version}.jar`,
      });
      const result = matchPackages({ packages: [at('2.14.1'), at('2.15.0'), at('2.0-beta8')], candidates: candidates(adv) });
      expect(result.findings.map((f) => [f.installedVersion, f.fixedVersion])).toEqual([['2.14.1', '2.15.0']]);
    });

    it('PyPI, names compared normalized on both sides', () => {
      const adv = advisory({ id: 'PYSEC-X', affected: [fixedIn('PyPI', 'Foo_Bar', '2.0')] });
      const at = (name: string, version: string): MatchPackage => ({
        type: 'pypi',
        name,
        version,
        path: `site-packages/${name}-${version}.dist-info/METADATA`,
      });
      const result = matchPackages({
        packages: [at('foo.bar', '1.9'), at('FOO-BAR', '2.0'), at('foobar', '1.0')],
        candidates: candidates(adv),
      });
      expect(result.findings.map((f) => [f.package.name, f.matchedName])).toEqual([['foo.bar', 'foo-bar']]);
    });
  });

  it('never matches withdrawn records', () => {
    const adv = advisory({ id: 'GHSA-1', withdrawn: '2024-01-01T00:00:00Z', affected: [fixedIn('npm', 'x', '2.0.0')] });
    expect(
      matchPackages({ packages: [{ type: 'npm', name: 'x', version: '1.0.0', path: 'p' }], candidates: candidates(adv) }).findings,
    ).toEqual([]);
  });

  it('takes only candidates whose own ecosystem and name are the package key', () => {
    // as a caller's loose query could return them: another package, another release, another ecosystem
    const adv = advisory({
      id: 'GHSA-1',
      affected: [fixedIn('npm', 'y', '2.0.0'), fixedIn('Debian:11', 'x', '2.0.0'), fixedIn('PyPI', 'x', '2.0.0')],
    });
    const pkgs: MatchPackage[] = [{ type: 'npm', name: 'x', version: '1.0.0', path: 'p' }, deb('x', '1.0-1')];
    expect(matchPackages({ packages: pkgs, os: DEBIAN_12, candidates: candidates(adv) }).findings).toEqual([]);
  });

  it('evaluates all affected entries of one record for a package together', () => {
    const adv = advisory({
      id: 'GHSA-1',
      affected: [
        affected('npm', 'x', [{ introduced: '0' }, { fixed: '1.0.5' }]),
        affected('npm', 'x', [{ introduced: '2.0.0' }, { fixed: '2.0.3' }]),
      ],
    });
    const at = (version: string): MatchPackage => ({ type: 'npm', name: 'x', version, path: version });
    const result = matchPackages({ packages: [at('1.0.0'), at('1.5.0'), at('2.0.1')], candidates: candidates(adv) });
    expect(result.findings.map((f) => [f.installedVersion, f.fixedVersion, f.sources])).toEqual([
      ['1.0.0', '1.0.5', ['GHSA-1']],
      ['2.0.1', '2.0.3', ['GHSA-1']],
    ]);
  });

  it('reports versions it cannot order, once per package or record, and goes on', () => {
    const broken = advisory({ id: 'GHSA-BAD', affected: [affected('npm', 'x', [{ introduced: 'zero' }])] });
    const good = advisory({ id: 'GHSA-OK', affected: [fixedIn('npm', 'x', '2.0.0')] });
    const at = (version: string, path: string): MatchPackage => ({ type: 'npm', name: 'x', version, path });
    const result = matchPackages({
      packages: [at('1.0.0', 'a'), at('1.0.0', 'b'), at('not.a.version', 'c')],
      candidates: [...candidates(broken), ...candidates(good)],
    });
    expect(ids(result)).toEqual(['x:GHSA-OK', 'x:GHSA-OK']);
    expect(result.errors).toEqual([
      'npm x not.a.version at c: invalid npm version "not.a.version": not a valid semver version; version ranges not evaluated',
      'osv GHSA-BAD (npm x): ECOSYSTEM range event introduced: invalid npm version "zero": not a valid semver version',
    ]);
  });

  it('orders findings by package, then severity descending, then id', () => {
    const pkgB: MatchPackage = { type: 'npm', name: 'b', version: '1.0.0', path: 'p' };
    const pkgA: MatchPackage = { type: 'npm', name: 'a', version: '1.0.0', path: 'p' };
    const advs = [
      advisory({ id: 'GHSA-Z', severity: 'High', affected: [fixedIn('npm', 'a', '2.0.0')] }),
      advisory({ id: 'GHSA-Y', severity: 'Low', affected: [fixedIn('npm', 'a', '2.0.0')] }),
      advisory({ id: 'GHSA-X', severity: 'High', affected: [fixedIn('npm', 'a', '2.0.0')] }),
      advisory({ id: 'GHSA-W', severity: 'Critical', affected: [fixedIn('npm', 'b', '2.0.0')] }),
    ];
    const result = matchPackages({ packages: [pkgB, pkgA], candidates: advs.flatMap((adv) => candidates(adv)) });
    expect(ids(result)).toEqual(['a:GHSA-X', 'a:GHSA-Z', 'a:GHSA-Y', 'b:GHSA-W']);
  });

  describe('coverage', () => {
    it('is full for ecosystems with data, none for the rest, unknown for unkeyable packages', () => {
      const packages: MatchPackage[] = [
        deb('libssl3', '3.0.11-1~deb12u2', { name: 'openssl', version: '3.0.11-1~deb12u2' }),
        deb('bash', '5.2.15-2+b2'),
        { type: 'rpm', name: 'openssl-libs', version: '1:3.0.7-24.el9', path: 'var/lib/rpm/rpmdb.sqlite' },
        { type: 'npm', name: 'x', version: '1.0.0', path: 'p' },
      ];
      // a deb + rpm image: as the analyzer would never say, but the keys must still be sorted out
      const mixed: OsInfo = { ...DEBIAN_12 };
      const result = matchPackages({ packages, os: mixed, candidates: [], ecosystemsWithData: new Set(['Debian:12']) });
      expect(result.coverage).toEqual([
        { ecosystem: 'Debian:12', packages: 2, coverage: 'full' },
        { ecosystem: 'npm', packages: 1, coverage: 'none' },
        { ecosystem: 'unknown', packages: 1, coverage: 'none' },
      ]);

      const rhel: OsInfo = { id: 'rhel', family: 'redhat', version: '9.3', path: 'etc/os-release' };
      const onRhel = matchPackages({ packages, os: rhel, candidates: [], ecosystemsWithData: new Set(['Debian:12']) });
      expect(onRhel.coverage).toEqual([
        { ecosystem: 'Red Hat', packages: 1, coverage: 'none' },
        { ecosystem: 'npm', packages: 1, coverage: 'none' },
        { ecosystem: 'unknown', packages: 2, coverage: 'none' },
      ]);
    });

    it('goes by the candidates when the caller does not say which ecosystems have data', () => {
      const adv = advisory({ id: 'GHSA-1', affected: [fixedIn('npm', 'x', '2.0.0')] });
      const result = matchPackages({ packages: [{ type: 'npm', name: 'x', version: '3.0.0', path: 'p' }], candidates: candidates(adv) });
      expect(result.coverage).toEqual([{ ecosystem: 'npm', packages: 1, coverage: 'full' }]);
    });
  });

  it('gives the same answers from a reused index as from candidates, whatever the other inputs', () => {
    const a = advisory({ id: 'GHSA-1', aliases: ['CVE-1'], affected: [fixedIn('npm', 'x', '2.0.0')] });
    const b = advisory({ id: 'OSV-1', aliases: ['CVE-1'], affected: [fixedIn('npm', 'x', '2.0.1')] });
    const all = [...candidates(a, 'ghsa'), ...candidates(b, 'mirror')];
    const index = indexCandidates(all);
    const packages: MatchPackage[] = [{ type: 'npm', name: 'x', version: '1.0.0', path: 'p' }];
    const inputs = [
      {},
      { severityByAlias: new Map([['CVE-1', 'High' as const]]) },
      { feedPriority: ['mirror'] },
      { severityByAlias: new Map([['CVE-1', 'Low' as const]]), feedPriority: ['mirror'] },
      {},
    ];
    const fromIndex = inputs.map((extra) => matchPackages({ packages, candidates: index, ...extra }).findings[0]!);
    expect(fromIndex.map((f) => [f.id, f.severity])).toEqual([
      ['GHSA-1', 'Unknown'],
      ['GHSA-1', 'High'],
      ['OSV-1', 'Unknown'],
      ['OSV-1', 'Low'],
      ['GHSA-1', 'Unknown'],
    ]);
    inputs.forEach((extra, i) => expect(matchPackages({ packages, candidates: all, ...extra }).findings[0]).toEqual(fromIndex[i]));
  });

  // Speed is measured in bench/vulndb.bench.ts; this checks that a reused index gives the same answers.
  it('matches a 1,000-package SBOM against 20,000 candidates the same way round after round with a reusable index', () => {
    const packages: MatchPackage[] = Array.from({ length: 1000 }, (_, i) => ({
      type: 'npm',
      name: `pkg-${i}`,
      version: `1.${i % 7}.0`,
      path: `n/${i}`,
    }));
    const all: Candidate[] = [];
    for (let i = 0; i < 20_000; i++) {
      const adv = advisory({
        id: `GHSA-${i}`,
        aliases: [`CVE-${i % 5000}`],
        affected: [fixedIn('npm', `pkg-${i % 2000}`, `1.${i % 5}.0`)],
      });
      all.push(...candidates(adv));
    }
    const index = indexCandidates(all);
    const rounds = Array.from({ length: 3 }, () => matchPackages({ packages, candidates: index }).findings);
    expect(rounds[0]!.length).toBeGreaterThan(0);
    expect(rounds[1]).toEqual(rounds[0]);
    expect(rounds[2]).toEqual(rounds[0]);
    expect(matchPackages({ packages, candidates: all }).findings).toEqual(rounds[0]);
  });
});
