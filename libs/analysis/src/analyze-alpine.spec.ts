import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixturesDir } from '@vulnscan/testing';
import { analyzerSetVersion, defaultAnalyzers } from './analyzers';
import { analyzeImage } from './layers';
import { dockerSaveLayers } from './layers/test-support/docker-save';
import { pickOs } from './os';
import { buildSbom, toCycloneDx } from './sbom';

interface GoldenPackage {
  Name: string;
  Version: string;
  Arch: string;
  SrcName: string;
  SrcVersion: string;
}

/**
 * The image's own apk database differs from trivy's golden file in four versions: the fixture
 * image is a later alpine:3.10 build (os-release says 3.10.4) than the one the golden was made
 * from. Checked by reading `lib/apk/db/installed` out of the fixture with tar.
 */
const GOLDEN_DRIFT: Record<string, string> = {
  busybox: '1.30.1-r3',
  ssl_client: '1.30.1-r3',
  'libcrypto1.1': '1.1.1d-r2',
  'libssl1.1': '1.1.1d-r2',
};
const GOLDEN_SOURCE_DRIFT: Record<string, string> = { busybox: '1.30.1-r3', openssl: '1.1.1d-r2' };

describe('analyzing the alpine-310 image with every analyzer', () => {
  it('finds the OS and exactly the 14 apk packages, each with its layer and path', async () => {
    const layers = await dockerSaveLayers(join(fixturesDir(), 'images/alpine-310.docker.tar.gz'));
    const seen: number[] = [];
    const result = await analyzeImage(layers, defaultAnalyzers(), { onLayer: async (index) => void seen.push(index) });

    expect(seen).toEqual([0]);
    expect(pickOs(result.osCandidates)).toMatchObject({ id: 'alpine', family: 'alpine', version: '3.10.4' });

    const golden = JSON.parse(readFileSync(join(fixturesDir(), 'images/alpine-310.packages.golden.json'), 'utf8')) as GoldenPackage[];
    const expected = golden
      .map((p) => {
        const version = GOLDEN_DRIFT[p.Name] ?? p.Version;
        const sourceVersion = GOLDEN_SOURCE_DRIFT[p.SrcName] ?? p.SrcVersion;
        return `${p.Name} ${version} ${p.Arch} ${p.SrcName} ${sourceVersion}`;
      })
      .sort();
    const found = result.packages.map((p) => `${p.name} ${p.version} ${p.arch} ${p.source?.name} ${p.source?.version}`).sort();
    expect(found).toEqual(expected);
    expect(found).toHaveLength(14);
    for (const pkg of result.packages) {
      expect(pkg).toMatchObject({ type: 'apk', path: 'lib/apk/db/installed', layerDigest: layers[0].digest });
    }
  });

  it('turns into a CycloneDX document with one component per package plus the OS', async () => {
    const layers = await dockerSaveLayers(join(fixturesDir(), 'images/alpine-310.docker.tar.gz'));
    const result = await analyzeImage(layers, defaultAnalyzers());
    const sbom = buildSbom({
      image: {
        reference: '127.0.0.1:5000/library/alpine:3.10',
        manifestDigest: 'sha256:73a958577213251ebbcc2cd4db47b3404b14a8b1fd7691c3052d03b072bd46e7',
        mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
        platform: { os: 'linux', architecture: 'amd64' },
        layers: [{ digest: layers[0].digest, size: 0, mediaType: layers[0].mediaType }],
      },
      os: pickOs(result.osCandidates),
      packages: result.packages,
      analyzer: { name: 'vulnscan', version: analyzerSetVersion() },
      warnings: result.warnings,
    });
    const document = toCycloneDx(sbom) as { components: { purl?: string; type: string }[] };
    expect(document.components.filter((c) => c.type === 'library')).toHaveLength(14);
    expect(document.components.map((c) => c.purl)).toContain('pkg:apk/alpine/musl@1.1.22-r3?arch=x86_64&distro=3.10.4');
  });
});
