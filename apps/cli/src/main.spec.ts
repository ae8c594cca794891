import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { workspaceRoot } from '@vulnscan/testing';

// The real entry point, as a user runs it: `npm run -s cli -- ...` from the workspace root.

interface Outcome {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

function npmRunCli(args: readonly string[]): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    execFile('npm', ['run', '-s', 'cli', '--', ...args], { cwd: workspaceRoot(), timeout: 60_000 }, (error, stdout, stderr) => {
      if (error !== null && typeof error.code !== 'number') {
        reject(error);
        return;
      }
      resolve({ status: error === null ? 0 : (error.code as number), stdout, stderr });
    });
  });
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'cli-main-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('npm run -s cli -- versions compare', () => {
  it('compares one pair', async () => {
    expect(await npmRunCli(['versions', 'compare', '--ecosystem', 'debian', '1.0-1', '1.0-1+deb12u1'])).toEqual({
      status: 0,
      stdout: '<\n',
      stderr: '',
    });
  });

  it('compares a file of pairs, keeping invalid lines in place, and exits 1', async () => {
    const file = path.join(dir, 'pairs.tsv');
    writeFileSync(file, '# alpine\n1.36.1-r2\t1.36.1-r15\n\n2.0\t2.0\n1.0\t1.0_alpha\n1.0\t1:0\n');
    const outcome = await npmRunCli(['versions', 'compare', '--ecosystem', 'alpine', '--file', file]);
    expect(outcome.stdout).toBe('<\n=\n>\nerror: invalid alpine version "1:0": invalid character ":"\n');
    expect(outcome.stderr).toContain(`${file}:6: error: invalid alpine version "1:0"`);
    expect(outcome.status).toBe(1);
  });

  it('exits 2 with a usage message for an unknown ecosystem', async () => {
    const outcome = await npmRunCli(['versions', 'compare', '--ecosystem', 'cobol', '1', '2']);
    expect(outcome.status).toBe(2);
    expect(outcome.stdout).toBe('');
    expect(outcome.stderr).toContain('unknown ecosystem "cobol"');
  });
});
