import { ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * tools/supervise.mjs, which `npm start` runs once per service, with fake services: real processes
 * and real signals, judged by the pids the supervisor reports and by whether they are still there.
 */
const SUPERVISE = join(__dirname, '..', '..', 'tools', 'supervise.mjs');
const FAST = ['--initial-backoff-ms', '100', '--max-backoff-ms', '400'];

interface Supervised {
  process: ChildProcess;
  /** Everything the supervisor and its commands wrote, stdout and stderr together. */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const running: ChildProcess[] = [];

/** Runs the supervisor under a shell-free parent: this test process. */
function supervise(options: string[], command: string[]): Supervised {
  const child = spawn(process.execPath, [SUPERVISE, '--name', 'fake', ...options, '--', ...command], { stdio: ['ignore', 'pipe', 'pipe'] });
  running.push(child);
  let text = '';
  child.stdout!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { process: child, output: () => text, exited };
}

/** A node one-liner as a command. */
const nodeScript = (source: string) => [process.execPath, '-e', source];

const startedPids = (output: string) => [...output.matchAll(/fake started \(pid (\d+)\)/g)].map((match) => Number(match[1]));
const restartDelays = (output: string) => [...output.matchAll(/restarting in ([\d.]+) s/g)].map((match) => Number(match[1]));

/** True while the pid is a process that has not ended (a zombie has ended). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Polls until the condition holds (the jest timeout bounds it). */
async function eventually<T>(probe: () => T | undefined | false): Promise<T> {
  for (;;) {
    const value = probe();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

describe('tools/supervise.mjs', () => {
  it('restarts a command that exits 1 after 0.2 s, with a backoff doubling up to its maximum, and SIGINT stops it for good', async () => {
    const supervised = supervise(FAST, nodeScript('setTimeout(() => process.exit(1), 200)'));
    await eventually(() => startedPids(supervised.output()).length >= 5);
    const output = supervised.output();
    expect(output).toContain('fake exited with code 1 after');
    expect(new Set(startedPids(output)).size).toBe(startedPids(output).length);
    expect(restartDelays(output).slice(0, 4)).toEqual([0.1, 0.2, 0.4, 0.4]);

    supervised.process.kill('SIGINT');
    expect(await supervised.exited).toEqual({ code: 0, signal: null });
    expect(supervised.output()).toMatch(/fake stop/);
    expect(startedPids(supervised.output()).every((pid) => !alive(pid))).toBe(true);
  });

  it('goes back to the first backoff once the command stayed up longer than --reset-after-ms', async () => {
    const supervised = supervise([...FAST, '--reset-after-ms', '150'], nodeScript('setTimeout(() => process.exit(3), 250)'));
    await eventually(() => restartDelays(supervised.output()).length >= 3);
    expect(restartDelays(supervised.output()).slice(0, 3)).toEqual([0.1, 0.1, 0.1]);
    expect(supervised.output()).toContain('exited with code 3');
    supervised.process.kill('SIGTERM');
    expect((await supervised.exited).code).toBe(0);
  });

  it('on SIGINT stops the running command and what it started, once, and leaves no process behind', async () => {
    // the command starts a grandchild and reports both pids; it counts the SIGTERMs it gets
    const supervised = supervise(
      FAST,
      nodeScript(`
        const sleeper = require('child_process').spawn('sleep', ['60'], { stdio: 'ignore' });
        console.log('pids ' + process.pid + ' ' + sleeper.pid);
        let terms = 0;
        process.on('SIGTERM', () => { terms += 1; console.log('terms ' + terms); setTimeout(() => process.exit(0), 100); });
        setInterval(() => {}, 1000);
      `),
    );
    const [service, grandchild] = await eventually(() => /pids (\d+) (\d+)/.exec(supervised.output())?.slice(1).map(Number));
    expect(startedPids(supervised.output())).toEqual([service]);
    expect(alive(service) && alive(grandchild)).toBe(true);

    // as a terminal's Ctrl-C with start.sh's trap does: SIGINT, then SIGTERM, to the supervisor
    supervised.process.kill('SIGINT');
    supervised.process.kill('SIGTERM');
    expect(await supervised.exited).toEqual({ code: 0, signal: null });
    expect(supervised.output().match(/terms \d+/g)).toEqual(['terms 1']);
    expect(alive(service)).toBe(false);
    await eventually(() => !alive(grandchild));
    expect(startedPids(supervised.output())).toEqual([service]);
  });

  it('kills a command that ignores SIGTERM once --stop-timeout-ms has passed', async () => {
    const supervised = supervise(
      [...FAST, '--stop-timeout-ms', '300'],
      nodeScript(`process.on('SIGTERM', () => console.log('ignoring SIGTERM')); console.log('ready'); setInterval(() => {}, 1000);`),
    );
    await eventually(() => supervised.output().includes('ready'));
    const [pid] = startedPids(supervised.output());
    supervised.process.kill('SIGINT');
    expect(await supervised.exited).toEqual({ code: 0, signal: null });
    expect(supervised.output()).toContain('ignoring SIGTERM');
    expect(supervised.output()).toContain('killing it');
    expect(supervised.output()).toContain('was killed by SIGKILL');
    expect(alive(pid)).toBe(false);
  });

  it('stops its command when its parent dies without a word (start.sh killed with SIGKILL)', async () => {
    // a shell starts the supervisor in the background, says its pid and waits; then the shell is killed
    const shell = spawn(
      'bash',
      ['-c', `"$0" "${SUPERVISE}" --name fake -- "$0" -e 'setInterval(() => {}, 1000)' 2>&1 & wait`, process.execPath],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    running.push(shell);
    let output = '';
    shell.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const [pid] = await eventually(() => (startedPids(output).length > 0 ? startedPids(output) : undefined));
    shell.kill('SIGKILL');
    await eventually(() => !alive(pid));
    expect(alive(pid)).toBe(false);
  });

  it('refuses to run without a name or a command', async () => {
    const supervised = spawn(process.execPath, [SUPERVISE, '--', 'true'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    supervised.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise((resolve) => supervised.once('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toContain('a --name and a command after -- are required');
  });
});
