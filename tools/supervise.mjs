#!/usr/bin/env node
// Keeps one service running the way compose's `restart: unless-stopped` does: a command that exits is
// logged and started again after a backoff, until this supervisor is told to stop (INT, TERM, HUP) or
// its parent goes away. Dependency-free; `npm start` runs one per service.
//
//   node tools/supervise.mjs --name gateway [--initial-backoff-ms 1000] [--max-backoff-ms 30000]
//     [--reset-after-ms 60000] [--stop-timeout-ms 10000] -- node dist/apps/gateway/src/main.js
//
// The command runs in a process group of its own, so a terminal's Ctrl-C reaches the supervisors
// only and each service gets exactly one SIGTERM (a second signal would cut Nest's graceful shutdown
// short); the whole group is signalled, so no grandchild outlives it.
import { spawn } from 'node:child_process';

const USAGE =
  'usage: supervise.mjs --name NAME [--initial-backoff-ms N] [--max-backoff-ms N] [--reset-after-ms N] [--stop-timeout-ms N] -- COMMAND [ARGS...]';

/** Parses the options before `--`; everything after it is the command. */
function parseArguments(argv) {
  const options = { name: '', initialBackoffMs: 1000, maxBackoffMs: 30000, resetAfterMs: 60000, stopTimeoutMs: 10000 };
  const numeric = {
    '--initial-backoff-ms': 'initialBackoffMs',
    '--max-backoff-ms': 'maxBackoffMs',
    '--reset-after-ms': 'resetAfterMs',
    '--stop-timeout-ms': 'stopTimeoutMs',
  };
  let index = 0;
  for (; index < argv.length && argv[index] !== '--'; index += 2) {
    const [flag, value] = [argv[index], argv[index + 1]];
    if (value === undefined) fail(`${flag} needs a value`);
    if (flag === '--name') options.name = value;
    else if (flag in numeric) {
      const number = Number(value);
      if (!Number.isInteger(number) || number < 0) fail(`${flag} must be a whole number of milliseconds`);
      options[numeric[flag]] = number;
    } else fail(`unknown option ${flag}`);
  }
  const command = argv.slice(index + 1);
  if (!options.name || command.length === 0) fail('a --name and a command after -- are required');
  return { ...options, command };
}

function fail(message) {
  process.stderr.write(`supervise: ${message}\n${USAGE}\n`);
  process.exit(2);
}

/** "[vulnscan] gateway …" on stderr, like tools/lib.sh's log. */
function log(name, message) {
  process.stderr.write(`[vulnscan] ${name} ${message}\n`);
}

const seconds = (ms) => `${Number((ms / 1000).toFixed(1))} s`;

class Supervisor {
  constructor(options) {
    this.options = options;
    this.backoffMs = options.initialBackoffMs;
    this.child = undefined;
    this.restartTimer = undefined;
    this.killTimer = undefined;
    this.stopping = false;
  }

  start() {
    if (this.stopping) return;
    const [file, ...args] = this.options.command;
    const startedAt = Date.now();
    const child = spawn(file, args, { stdio: ['ignore', 'inherit', 'inherit'], detached: true });
    this.child = child;
    let ended = false;
    const onEnd = (code, signal, error) => {
      if (ended) return;
      ended = true;
      this.child = undefined;
      this.ended(child.pid, Date.now() - startedAt, code, signal, error);
    };
    child.once('error', (error) => onEnd(null, null, error));
    child.once('exit', (code, signal) => onEnd(code, signal));
    if (child.pid !== undefined) log(this.options.name, `started (pid ${child.pid})`);
  }

  /** The command ended: clean up its group, then stop for good or start it again after the backoff. */
  ended(pid, upMs, code, signal, error) {
    if (pid !== undefined) signalGroup(pid, 'SIGKILL'); // whatever it left behind in its group
    const how = error ? `could not start: ${error.message}` : signal ? `was killed by ${signal}` : `exited with code ${code}`;
    if (this.stopping) {
      log(this.options.name, `stopped (${how})`);
      clearTimeout(this.killTimer);
      process.exit(0);
    }
    if (upMs >= this.options.resetAfterMs) this.backoffMs = this.options.initialBackoffMs;
    const delayMs = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.options.maxBackoffMs);
    log(this.options.name, `${how} after ${seconds(upMs)}; restarting in ${seconds(delayMs)}`);
    this.restartTimer = setTimeout(() => this.start(), delayMs);
  }

  /** Stops the command (its whole group) with SIGTERM, and with SIGKILL if it is still there after the stop timeout. */
  stop(reason) {
    if (this.stopping) return;
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child || child.pid === undefined) {
      log(this.options.name, `stopped (${reason})`);
      process.exit(0);
    }
    log(this.options.name, `stopping pid ${child.pid} (${reason})`);
    signalGroup(child.pid, 'SIGTERM');
    this.killTimer = setTimeout(() => {
      log(this.options.name, `still running ${seconds(this.options.stopTimeoutMs)} after SIGTERM; killing it`);
      signalGroup(child.pid, 'SIGKILL');
    }, this.options.stopTimeoutMs);
  }
}

/** Signals a process group; one that is gone already is fine. */
function signalGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch (error) {
    if (error.code !== 'ESRCH') throw error;
  }
}

const supervisor = new Supervisor(parseArguments(process.argv.slice(2)));
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => supervisor.stop(signal));
// Reparented (start.sh was killed with SIGKILL, say): nobody would stop the service any more.
const parent = process.ppid;
setInterval(() => process.ppid !== parent && supervisor.stop('its parent is gone'), 1000).unref();
supervisor.start();
