import { ChildProcess, execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Runs a command to completion; the error carries its stderr, which is what explains a failure. */
export async function run(command: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  try {
    const { stdout } = await execFileAsync(command, [...args], { env: options.env ?? process.env, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const failure = error as { stderr?: string; code?: unknown; message: string };
    const stderr = failure.stderr?.trim();
    throw new Error(`${command} ${args.join(' ')} failed (${String(failure.code ?? failure.message)})${stderr ? `:\n${stderr}` : ''}`);
  }
}

/** Children still running; killed when the test process exits so a failed suite leaves nothing behind. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export interface Service {
  readonly child: ChildProcess;
  /** The last output of the process, for error messages. */
  output(): string;
  /** Resolves once the process has exited. */
  readonly exited: Promise<number | null>;
  stop(): Promise<void>;
}

export function startService(command: string, args: readonly string[]): Service {
  const child = spawn(command, [...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-16 * 1024);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((resolve) => {
    child.once('error', (error) => {
      collect(Buffer.from(`${error.message}\n`));
      live.delete(child);
      resolve(null);
    });
    child.once('exit', (code) => {
      live.delete(child);
      resolve(code);
    });
  });

  return {
    child,
    output: () => output,
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null || !live.has(child)) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
