import type { AnalyzedFile, AnalyzerResult, FileAnalyzer } from '../../model';
import { isInstalledPackageJson, parseInstalledPackageJson } from './package-json';
import { parsePackageLock, type ParseResult } from './package-lock';
import { drain, errorMessage, readBounded } from '../../io';

export interface NpmAnalyzerLimits {
  /** A monorepo's lockfile runs to tens of MB; parsing one costs several times that in memory. */
  maxLockfileBytes: number;
  /** Old npm versions copied the README into installed manifests. */
  maxManifestBytes: number;
}

export const DEFAULT_NPM_LIMITS: NpmAnalyzerLimits = { maxLockfileBytes: 32 << 20, maxManifestBytes: 4 << 20 };

const LOCKFILE = /(?:^|\/)(?:package-lock|npm-shrinkwrap)\.json$/;

/**
 * The app's lockfiles, outside node_modules: a lockfile inside an installed package lists that
 * package's development dependencies, which were never installed. (npm's hidden
 * `node_modules/.package-lock.json` duplicates the installed manifests, so it is not read either.)
 */
function isAppLockfile(path: string): boolean {
  return LOCKFILE.test(path) && !/(?:^|\/)node_modules\//.test(path);
}

export class NpmAnalyzer implements FileAnalyzer {
  readonly name = 'npm';
  readonly version = 1;

  constructor(private readonly limits: NpmAnalyzerLimits = DEFAULT_NPM_LIMITS) {}

  accepts(path: string): boolean {
    return isAppLockfile(path) || isInstalledPackageJson(path);
  }

  async analyze(file: AnalyzedFile): Promise<AnalyzerResult> {
    const lockfile = isAppLockfile(file.path);
    const limit = lockfile ? this.limits.maxLockfileBytes : this.limits.maxManifestBytes;
    try {
      if (file.size > limit) {
        await drain(file.content);
        return { warnings: [`${file.path}: ${file.size} bytes is over the ${limit}-byte limit; not read`] };
      }
      const { data, truncated } = await readBounded(file.content, limit);
      if (truncated) return { warnings: [`${file.path}: longer than the ${limit}-byte limit; not read`] };
      const text = data.toString('utf8');
      return result(lockfile ? parsePackageLock(text, file.path) : parseInstalledPackageJson(text, file.path));
    } catch (err) {
      await drain(file.content).catch(() => undefined);
      return { warnings: [`${file.path}: ${errorMessage(err)}`] };
    }
  }
}

function result({ packages, warnings }: ParseResult): AnalyzerResult {
  return { ...(packages.length ? { packages } : {}), ...(warnings.length ? { warnings } : {}) };
}
