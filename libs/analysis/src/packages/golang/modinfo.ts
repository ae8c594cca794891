import type { Package } from '../../model';

export interface GoModule {
  path: string;
  version: string;
  sum?: string;
  /** `=> path version sum`: the module actually compiled in instead. */
  replace?: GoModule;
}

/** What `runtime/debug.ReadBuildInfo` would return, parsed from the embedded modinfo string. */
export interface GoBuildInfo {
  /** The toolchain that built the binary, as it says it: `go1.21.3`, `devel go1.23-abc...`. */
  goVersion: string;
  /** The main package's import path. */
  path?: string;
  main?: GoModule;
  deps: GoModule[];
  /** `build` lines: `-compiler=gc`, `GOARCH=amd64`, `vcs.revision=...`. */
  settings: Map<string, string>;
}

/**
 * The linker wraps modinfo in two fixed 16-byte sentinels so the runtime can find it; Go's own
 * reader (debug/buildinfo) strips them only when the string has the expected shape.
 */
export function stripModinfoSentinels(raw: string): string {
  return raw.length >= 33 && raw[raw.length - 17] === '\n' ? raw.slice(16, -16) : '';
}

/** Parses modinfo text the way `runtime/debug.ParseBuildInfo` does; bad lines become warnings. */
export function parseModinfo(goVersion: string, modinfo: string): { info: GoBuildInfo; warnings: string[] } {
  const info: GoBuildInfo = { goVersion, deps: [], settings: new Map() };
  const warnings: string[] = [];
  let last: GoModule | undefined;
  for (const line of modinfo.split('\n')) {
    if (line === '') continue;
    const [kind, ...fields] = line.split('\t');
    switch (kind) {
      case 'path':
        info.path = fields[0];
        break;
      case 'mod':
      case 'dep': {
        const mod = module(fields);
        if (!mod) {
          warnings.push(`malformed modinfo line ${JSON.stringify(line)}`);
          last = undefined;
          break;
        }
        if (kind === 'mod') info.main = mod;
        else info.deps.push(mod);
        last = mod;
        break;
      }
      case '=>': {
        const replacement = module(fields, true);
        if (!last || last.replace || !replacement) warnings.push(`malformed modinfo line ${JSON.stringify(line)}`);
        else last.replace = replacement;
        break;
      }
      case 'build': {
        const setting = fields.join('\t');
        const eq = setting.indexOf('=');
        if (eq > 0) info.settings.set(setting.slice(0, eq), setting.slice(eq + 1));
        break;
      }
      default:
        // `go` and unknown future lines carry nothing we report.
        break;
    }
  }
  return { info, warnings };
}

/** A replacement by a local directory (`=> ../fork`) has no version; a required module always does. */
function module(fields: string[], replacement = false): GoModule | undefined {
  const [path, version = '', sum] = fields;
  if (!path || (!version && !replacement)) return undefined;
  return sum ? { path, version, sum } : { path, version };
}

/**
 * The packages a Go binary contains: the main module (unless it is an unversioned local build,
 * `(devel)`), every dependency as it was compiled in (the replacement when replaced), and the
 * standard library of the toolchain that built it, named `stdlib` as Go vulnerability feeds do.
 */
export function goPackages(info: GoBuildInfo, path: string): { packages: Package[]; warnings: string[] } {
  const packages: Package[] = [];
  const warnings: string[] = [];
  const stdlib = stdlibVersion(info.goVersion);
  if (stdlib) packages.push({ type: 'golang', name: 'stdlib', version: stdlib, path });
  else warnings.push(`${path}: built by toolchain ${JSON.stringify(info.goVersion)}, not a Go release; standard library not reported`);
  if (info.main && info.main.version !== '(devel)') packages.push(goPackage(info.main, path));
  for (const dep of info.deps) {
    const used = dep.replace ?? dep;
    if (!used.version) {
      warnings.push(`${path}: ${dep.path} ${dep.version} is replaced by the local directory ${used.path}; its version is unknown`);
      continue;
    }
    packages.push(goPackage(used, path));
  }
  return { packages, warnings };
}

function goPackage(mod: GoModule, path: string): Package {
  // The purl golang convention: the last path element is the name, the rest the namespace.
  const slash = mod.path.lastIndexOf('/');
  return slash > 0
    ? { type: 'golang', namespace: mod.path.slice(0, slash), name: mod.path.slice(slash + 1), version: mod.version, path }
    : { type: 'golang', name: mod.path, version: mod.version, path };
}

/** `go1.21.3` → `1.21.3`; `go1.20 X:boringcrypto` → `1.20`; development toolchains have none. */
export function stdlibVersion(goVersion: string): string | undefined {
  const match = /^go(\d+(?:\.\d+)*(?:(?:rc|beta)\d+)?)(?:\s|$)/.exec(goVersion);
  return match?.[1];
}
