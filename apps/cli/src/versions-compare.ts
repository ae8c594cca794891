import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { type Comparison, InvalidVersionError, SCHEME_NAMES, type VersionScheme, schemeByName } from '@vulnscan/versions';
import { type CliIo, LineBuffer, readLines } from './io';
import { EXIT_INVALID, EXIT_OK, UsageError } from './usage';

export const VERSIONS_COMPARE_USAGE = `Usage:
  cli versions compare --ecosystem <name> <a> <b>
  cli versions compare --ecosystem <name> --file <pairs.tsv|->

Prints <, = or > for each pair of versions, ordered as the ecosystem orders them.
  -e, --ecosystem <name>  ${SCHEME_NAMES.join(' | ')}
  -f, --file <path>       "a<TAB>b" lines, one result line each (- reads stdin);
                          blank lines and lines starting with # are skipped
  -h, --help              show this help

An invalid version prints "error: ..." in place of its result. Exit status: 0 when every
pair compared, 1 when some version was invalid, 2 on a usage error.
`;

/** The short reminder printed with a usage error. */
export const VERSIONS_COMPARE_SHORT_USAGE = `usage: cli versions compare --ecosystem <${SCHEME_NAMES.join('|')}> (<a> <b> | --file <pairs.tsv|->)
Run "cli versions compare --help" for details.
`;

const SYMBOLS: Readonly<Record<Comparison, string>> = { [-1]: '<', 0: '=', 1: '>' };

/** `versions compare`: returns the exit status. Usage problems throw {@link UsageError}. */
export async function versionsCompare(args: readonly string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      options: {
        ecosystem: { type: 'string', short: 'e' },
        file: { type: 'string', short: 'f' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    throw new UsageError(describeError(error), VERSIONS_COMPARE_SHORT_USAGE);
  }
  const { values, positionals } = parsed;

  if (values.help) {
    io.stdout(VERSIONS_COMPARE_USAGE);
    return EXIT_OK;
  }
  if (values.ecosystem === undefined) throw new UsageError('missing --ecosystem', VERSIONS_COMPARE_SHORT_USAGE);
  const scheme = schemeByName(values.ecosystem);
  if (scheme === undefined) {
    throw new UsageError(
      `unknown ecosystem ${JSON.stringify(values.ecosystem)} (expected ${SCHEME_NAMES.join(', ')})`,
      VERSIONS_COMPARE_SHORT_USAGE,
    );
  }
  const comparer = new PairComparer(scheme, values.ecosystem);

  if (values.file !== undefined) {
    if (positionals.length > 0) throw new UsageError('give either --file or two versions, not both', VERSIONS_COMPARE_SHORT_USAGE);
    return compareFile(values.file, comparer, io);
  }
  if (positionals.length !== 2) {
    throw new UsageError(`expected two versions to compare (or --file), got ${positionals.length}`, VERSIONS_COMPARE_SHORT_USAGE);
  }
  const result = comparer.compare(positionals[0]!, positionals[1]!);
  io.stdout(`${result.output}\n`);
  if (result.ok) return EXIT_OK;
  io.stderr(`${result.output}\n`);
  return EXIT_INVALID;
}

interface PairResult {
  readonly ok: boolean;
  /** `<`, `=`, `>` or an `error: ...` line. */
  readonly output: string;
}

class PairComparer {
  constructor(
    private readonly scheme: VersionScheme,
    /** The ecosystem as the user named it, for messages. */
    private readonly ecosystem: string,
  ) {}

  compare(a: string, b: string): PairResult {
    try {
      return { ok: true, output: SYMBOLS[this.scheme.compare(a, b)] };
    } catch (error) {
      if (!(error instanceof InvalidVersionError)) throw error;
      return { ok: false, output: `error: invalid ${this.ecosystem} version ${JSON.stringify(error.version)}: ${error.reason}` };
    }
  }
}

async function openInput(file: string, io: CliIo): Promise<Readable> {
  if (file === '-') return io.stdin;
  try {
    const handle = await open(file, 'r');
    return handle.createReadStream();
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${describeError(error)}`, VERSIONS_COMPARE_SHORT_USAGE);
  }
}

async function compareFile(file: string, comparer: PairComparer, io: CliIo): Promise<number> {
  const input = await openInput(file, io);
  const out = new LineBuffer(io.stdout);
  let status = EXIT_OK;
  let lineNumber = 0;
  try {
    for await (const line of readLines(input)) {
      lineNumber++;
      const trimmed = line.trim();
      if (trimmed === '' || trimmed.startsWith('#')) continue;
      const fields = line.split('\t');
      const result: PairResult =
        fields.length === 2
          ? comparer.compare(fields[0]!.trim(), fields[1]!.trim())
          : {
              ok: false,
              output: `error: expected two versions separated by a tab, found ${fields.length} field${fields.length === 1 ? '' : 's'}`,
            };
      out.line(result.output);
      if (!result.ok) {
        status = EXIT_INVALID;
        io.stderr(`${file === '-' ? 'stdin' : file}:${lineNumber}: ${result.output}\n`);
      }
    }
  } catch (error) {
    throw new UsageError(`cannot read ${file === '-' ? 'stdin' : file}: ${describeError(error)}`, VERSIONS_COMPARE_SHORT_USAGE);
  } finally {
    out.flush();
    input.destroy();
  }
  return status;
}

function describeError(error: unknown): string {
  // Duck-typed: errors from Node's core may come from another realm (as under jest).
  if (typeof error !== 'object' || error === null || typeof (error as Error).message !== 'string') return String(error);
  const { message, code } = error as NodeJS.ErrnoException;
  // "ENOENT: no such file or directory, open 'x'" -> "no such file or directory"
  if (code === undefined || code.startsWith('ERR_')) return message;
  return message.replace(/^[A-Z]+: /, '').replace(/, \w+( '.*')?$/, '');
}
