import { SemVer } from 'semver';
import { hasSpaceOrControl } from './chars';
import { Rejected, defineScheme, sign } from './scheme';

/**
 * npm package versions, parsed and ordered by npm's own `semver` package in its strict (not
 * loose) mode. That mode accepts an optional leading `v` (`v1.2.3` = `1.2.3`), as `npm install
 * pkg@v1.2.3` does, so it is accepted here too; lockfiles never write one, so it changes nothing
 * for them. Surrounding whitespace, which `semver` would trim, is rejected: a version with
 * spaces is a parsing bug upstream, not a version.
 */
function parseNpm(version: string): SemVer | Rejected {
  if (hasSpaceOrControl(version)) return new Rejected('contains whitespace or control characters');
  try {
    return new SemVer(version);
  } catch (error) {
    // semver says "Invalid Version: <input>" or names the limit that was exceeded
    const message = error instanceof Error ? error.message : '';
    return new Rejected(message === '' || message.startsWith('Invalid Version') ? 'not a valid semver version' : message);
  }
}

/** npm (node-semver) versions. */
export const npm = defineScheme('npm', parseNpm, (a, b) => sign(a.compare(b)));
