import { join } from 'node:path';
import { fixturesDir } from '@vulnscan/testing';
import * as yauzl from 'yauzl';
import type { Advisory, AffectedPackage, AffectedRange, RangeEvent } from '../model';
import { affects } from './affects';
import { matchPackages } from './match-packages';
import type { Candidate, MatchPackage } from './types';

/** The JSON entries named `names` of a zip, by name. */
function readZipEntries(path: string, names: readonly string[]): Promise<Map<string, unknown>> {
  const wanted = new Set(names);
  const found = new Map<string, unknown>();
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true }, (openError, zip) => {
      if (openError || !zip) return reject(openError ?? new Error(`cannot open ${path}`));
      zip.on('error', reject);
      zip.on('end', () => resolve(found));
      zip.on('entry', (entry: yauzl.Entry) => {
        if (!wanted.has(entry.fileName)) return zip.readEntry();
        zip.openReadStream(entry, (streamError, stream) => {
          if (streamError || !stream) return reject(streamError ?? new Error(`cannot read ${entry.fileName}`));
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('error', reject);
          stream.on('end', () => {
            found.set(entry.fileName, JSON.parse(Buffer.concat(chunks).toString('utf8')));
            if (found.size === wanted.size) {
              zip.close();
              resolve(found);
            } else zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}

interface OsvJson {
  id: string;
  aliases?: string[];
  summary?: string;
  withdrawn?: string;
  references?: { url: string }[];
  affected?: { package: { ecosystem: string; name: string }; ranges?: { type: string; events: RangeEvent[] }[]; versions?: string[] }[];
}

/** Just the fields matching reads; GIT ranges dropped, as the feed does. */
function toAdvisory(json: OsvJson): Advisory {
  const affected: AffectedPackage[] = (json.affected ?? []).map((entry) => ({
    ecosystem: entry.package.ecosystem,
    name: entry.package.name,
    ranges: (entry.ranges ?? []).filter((range): range is AffectedRange => range.type === 'ECOSYSTEM' || range.type === 'SEMVER'),
    versions: entry.versions ?? [],
  }));
  return {
    source: 'osv',
    key: json.id,
    id: json.id,
    aliases: json.aliases ?? [],
    cvss: [],
    references: (json.references ?? []).map((ref) => ref.url),
    affected,
    ...(json.summary ? { summary: json.summary } : {}),
    ...(json.withdrawn ? { withdrawn: json.withdrawn } : {}),
  };
}

async function load(ecosystem: 'Go' | 'PyPI', ids: string[]): Promise<Map<string, Advisory>> {
  const entries = await readZipEntries(
    join(fixturesDir(), 'feeds', 'osv', ecosystem, 'all.zip'),
    ids.map((id) => `${id}.json`),
  );
  expect([...entries.keys()].sort()).toEqual(ids.map((id) => `${id}.json`).sort());
  return new Map([...entries.values()].map((json) => [(json as OsvJson).id, toAdvisory(json as OsvJson)]));
}

const candidatesOf = (advisories: Iterable<Advisory>): Candidate[] =>
  [...advisories].flatMap((advisory) =>
    advisory.affected.map((affected) => ({ feed: 'osv', feedKind: 'osv' as const, advisory, affected })),
  );

describe('real OSV records', () => {
  describe('Go', () => {
    let records: Map<string, Advisory>;
    beforeAll(async () => {
      records = await load('Go', ['GO-2020-0001', 'GO-2023-1568']);
    });

    it('GO-2020-0001: gin before 1.6.0 (SEMVER from "0")', () => {
      const gin = (version: string): MatchPackage => ({
        type: 'golang',
        namespace: 'github.com/gin-gonic',
        name: 'gin',
        version,
        path: `usr/bin/app-${version}`,
      });
      const result = matchPackages({ packages: [gin('v1.5.0'), gin('v1.6.0'), gin('v1.9.1')], candidates: candidatesOf(records.values()) });
      expect(result.findings.map((f) => [f.id, f.matchedName, f.installedVersion, f.fixedVersion, f.aliases])).toEqual([
        ['GO-2020-0001', 'github.com/gin-gonic/gin', '1.5.0', '1.6.0', ['CVE-2020-36567', 'GHSA-6vm3-jj99-7229']],
      ]);
      expect(result.errors).toEqual([]);
    });

    it('GO-2023-1568: the toolchain, in two release branches', () => {
      const stdlib = (version: string): MatchPackage => ({ type: 'golang', name: 'stdlib', version, path: `usr/bin/go-${version}` });
      const packages = ['1.19.5', '1.19.6', '1.20', '1.20rc3', '1.20.1'].map(stdlib);
      const result = matchPackages({ packages, candidates: candidatesOf(records.values()) });
      expect(result.findings.map((f) => [f.id, f.package.version, f.installedVersion, f.fixedVersion])).toEqual([
        ['GO-2023-1568', '1.19.5', '1.19.5', '1.19.6'],
        ['GO-2023-1568', '1.20', '1.20.0', '1.20.1'],
        ['GO-2023-1568', '1.20rc3', '1.20.0-rc.3', '1.20.1'],
      ]);
    });
  });

  describe('PyPI', () => {
    let records: Map<string, Advisory>;
    beforeAll(async () => {
      records = await load('PyPI', ['PYSEC-2008-3', 'PYSEC-2024-1']);
    });

    it('PYSEC-2008-3: CherryPy, two introduced/fixed pairs, matched under the project name as installed', () => {
      const cherrypy = (version: string): MatchPackage => ({
        type: 'pypi',
        name: 'CherryPy',
        version,
        path: `site-packages/CherryPy-${version}.dist-info/METADATA`,
      });
      const packages = ['2.1.0', '2.1.1', '3.0.1', '3.0.2'].map(cherrypy);
      const result = matchPackages({ packages, candidates: candidatesOf([records.get('PYSEC-2008-3')!]) });
      expect(result.findings.map((f) => [f.id, f.matchedName, f.installedVersion, f.fixedVersion])).toEqual([
        ['PYSEC-2008-3', 'cherrypy', '2.1.0', '2.1.1'],
        ['PYSEC-2008-3', 'cherrypy', '3.0.1', '3.0.2'],
      ]);
    });

    it('PYSEC-2024-1: a versions list only (malicious gratient 0.5)', () => {
      const entry = records.get('PYSEC-2024-1')!.affected[0]!;
      expect(entry.ranges).toEqual([]);
      expect(affects(entry, '0.5')).toEqual({ affected: true });
      expect(affects(entry, '0.5.0')).toEqual({ affected: true });
      expect(affects(entry, '0.6')).toEqual({ affected: false });
      const gratient = (version: string): MatchPackage => ({
        type: 'pypi',
        name: 'Gratient',
        version,
        path: `site-packages/gratient-${version}.dist-info/METADATA`,
      });
      const result = matchPackages({ packages: [gratient('0.5'), gratient('0.4')], candidates: candidatesOf(records.values()) });
      expect(result.findings.map((f) => [f.id, f.installedVersion, f.fixedVersion])).toEqual([['PYSEC-2024-1', '0.5', undefined]]);
    });
  });
});
