import { Rejected, defineScheme } from './scheme';
import { type SemVer, compareSemVer, parseSemVer } from './semver';

/**
 * Go versions, as they appear in OSV's Go records and in Go binaries:
 *  - module versions: SemVer with or without the `v` prefix (`v1.2.3` = `1.2.3`; modules write
 *    the `v`, OSV records do not). `+incompatible` is build metadata and does not take part in
 *    the order (`v2.0.0+incompatible` = `v2.0.0`); pseudo-versions
 *    (`v0.0.0-20230101120000-abcdef123456`, `v1.2.4-0.20230101120000-abcdef123456`) are ordinary
 *    SemVer pre-releases and order as such; a bare `0` (OSV's `introduced: "0"`) is `0.0.0`, as
 *    in the semver scheme;
 *  - toolchain (`stdlib`) versions: OSV writes them as SemVer (`1.21.0`, `1.21.0-rc.2`); a
 *    binary's build info says `go1.21.5`, `go1.21rc2`, `go1.21` or `go1.9beta1`, read as
 *    `1.21.5`, `1.21.0-rc.2`, `1.21.0` and `1.9.0-beta.1` (the mapping the Go vulnerability
 *    database uses). A trailing GOEXPERIMENT note (`go1.21.5 X:boringcrypto`) is ignored.
 * Development toolchains (`devel go1.22-abcdef`) have no place in the order and are rejected.
 */
const TOOLCHAIN = /^go([1-9][0-9]*|0)(?:\.([1-9][0-9]*|0))?(?:\.([1-9][0-9]*|0))?(?:(alpha|beta|rc)([1-9][0-9]*))?(?: X:[A-Za-z0-9_,]+)?$/;

function parseGo(version: string): SemVer | Rejected {
  if (version.startsWith('go')) {
    const match = TOOLCHAIN.exec(version);
    if (match === null) return new Rejected('not a Go toolchain version (expected e.g. go1.21.5 or go1.21rc2)');
    const [, major, minor = '0', patch = '0', pre, preNumber] = match;
    return { major: major!, minor, patch, prerelease: pre === undefined ? [] : [pre, preNumber!] };
  }
  if (version.startsWith('devel')) return new Rejected('development toolchain versions cannot be ordered');
  return parseSemVer(version);
}

/** Go module and toolchain versions. */
export const go = defineScheme('go', parseGo, compareSemVer);
