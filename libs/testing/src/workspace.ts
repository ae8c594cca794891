import { existsSync, statSync } from 'node:fs';
import path from 'node:path';

/** The directory holding nx.json, found from this file so it works whatever the current directory is. */
export function workspaceRoot(): string {
  let dir = __dirname;
  while (!existsSync(path.join(dir, 'nx.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no nx.json above ${__dirname}: cannot locate the workspace root`);
    dir = parent;
  }
  return dir;
}

/**
 * The fixture root every test reads from: `FIXTURES_DIR`, or `../shared/fixtures` beside the
 * workspace (where CI and developers keep it).
 */
export function fixturesDir(): string {
  const configured = process.env['FIXTURES_DIR'];
  const dir = configured ? path.resolve(configured) : path.resolve(workspaceRoot(), '../shared/fixtures');
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    const source = configured ? 'FIXTURES_DIR' : 'the default ../shared/fixtures (set FIXTURES_DIR to override)';
    throw new Error(`fixtures directory ${dir} does not exist; it comes from ${source}`);
  }
  return dir;
}
