import type { CliIo } from './io';
import { EXIT_OK, EXIT_USAGE, UsageError } from './usage';
import { VERSIONS_COMPARE_USAGE, versionsCompare } from './versions-compare';

export const CLI_USAGE = `Usage: cli <command> [options]

Commands:
  versions compare   compare package versions as an ecosystem orders them

Run "cli versions compare --help" for its options.
`;

const CLI_SHORT_USAGE = `usage: cli versions compare --ecosystem <name> (<a> <b> | --file <pairs.tsv|->)
Run "cli --help" for details.
`;

type Command = (args: readonly string[], io: CliIo) => Promise<number>;

/** Commands by their words (`versions compare`). */
const COMMANDS: ReadonlyMap<string, Command> = new Map([['versions compare', versionsCompare]]);

/**
 * Runs one command line (without the node and script arguments) and returns the exit status.
 * Never throws for user mistakes: they are reported on stderr with exit status 2.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  if (argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.stdout(CLI_USAGE);
    return EXIT_OK;
  }
  const [group, name, ...rest] = argv;
  if (group === 'versions' && (name === '--help' || name === '-h')) {
    io.stdout(VERSIONS_COMPARE_USAGE);
    return EXIT_OK;
  }
  const command = COMMANDS.get(`${group} ${name}`);
  try {
    if (command === undefined) {
      const given = argv.slice(0, 2).join(' ');
      throw new UsageError(given === '' || given === 'versions' ? 'missing command' : `unknown command: ${given}`, CLI_SHORT_USAGE);
    }
    return await command(rest, io);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`error: ${error.message}\n\n${error.usage}`);
    return EXIT_USAGE;
  }
}
