import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fixturesDir, workspaceRoot } from './workspace';

describe('fixturesDir', () => {
  const saved = process.env['FIXTURES_DIR'];
  afterEach(() => {
    if (saved === undefined) delete process.env['FIXTURES_DIR'];
    else process.env['FIXTURES_DIR'] = saved;
  });

  it('defaults to ../shared/fixtures beside the workspace', () => {
    delete process.env['FIXTURES_DIR'];
    expect(fixturesDir()).toBe(path.resolve(workspaceRoot(), '../shared/fixtures'));
  });

  it('takes FIXTURES_DIR when set', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'fixtures-'));
    try {
      process.env['FIXTURES_DIR'] = dir;
      expect(fixturesDir()).toBe(dir);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('names the setting when the directory is missing', () => {
    process.env['FIXTURES_DIR'] = '/nonexistent/fixtures';
    expect(() => fixturesDir()).toThrow('fixtures directory /nonexistent/fixtures does not exist; it comes from FIXTURES_DIR');
  });
});
