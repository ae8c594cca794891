import { defaultAnalyzers } from './analyzers';
import { analyzeImage } from './layers';
import { gzipLayer } from './layers/test-support/build-layer';

const APK_DB = ['P:musl', 'V:1.2.4-r2', 'A:x86_64', 'o:musl', 'L:MIT', '', 'P:zlib', 'V:1.3-r2', 'A:x86_64', 'o:zlib', '', ''].join('\n');
const packageJson = (name: string, version: string) => JSON.stringify({ name, version, license: 'MIT' });

/**
 * An image whose later layers delete a package database (whiteout) and replace a directory
 * (opaque whiteout): what the SBOM lists is the final filesystem, not the sum of the layers.
 */
describe('packages of the final filesystem only', () => {
  it('drops a whited-out package database and everything an opaque directory hides', async () => {
    const base = await gzipLayer(
      [
        { name: 'etc/os-release', content: 'ID=alpine\nVERSION_ID=3.18.4\n' },
        { name: 'lib/apk/db/installed', content: APK_DB },
        { name: 'app/node_modules/left-pad/package.json', content: packageJson('left-pad', '1.3.0') },
        { name: 'app/node_modules/lodash/package.json', content: packageJson('lodash', '4.17.20') },
      ],
      'sha256:base',
    );
    const cleanup = await gzipLayer(
      [
        { name: 'lib/apk/db/.wh.installed', content: '' },
        // a fresh install of app/node_modules: nothing of the lower layer's directory survives
        { name: 'app/node_modules/', type: 'directory' },
        { name: 'app/node_modules/.wh..wh..opq', content: '' },
        { name: 'app/node_modules/lodash/package.json', content: packageJson('lodash', '4.17.21') },
      ],
      'sha256:cleanup',
    );

    const result = await analyzeImage([base, cleanup], defaultAnalyzers());

    const found = result.packages.map((p) => `${p.type} ${p.name}@${p.version} ${p.layerDigest}`).sort();
    expect(found).toEqual(['npm lodash@4.17.21 sha256:cleanup']);
    expect(result.osCandidates.map((os) => os.id)).toEqual(['alpine']);
  });

  it("keeps the lower layer's packages when a later layer only adds files", async () => {
    const base = await gzipLayer([{ name: 'lib/apk/db/installed', content: APK_DB }], 'sha256:base');
    const more = await gzipLayer([{ name: 'usr/share/doc/readme', content: 'hello' }], 'sha256:more');
    const result = await analyzeImage([base, more], defaultAnalyzers());
    expect(result.packages.map((p) => `${p.name}@${p.version} ${p.layerDigest}`).sort()).toEqual([
      'musl@1.2.4-r2 sha256:base',
      'zlib@1.3-r2 sha256:base',
    ]);
  });
});
