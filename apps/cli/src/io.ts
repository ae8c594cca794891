import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

/** Where a command reads and writes; the process's own streams in production, fakes in tests. */
export interface CliIo {
  /** Writes text (with its own newlines) to standard output. */
  readonly stdout: (text: string) => void;
  /** Writes text (with its own newlines) to standard error. */
  readonly stderr: (text: string) => void;
  /** Standard input, read only when a command is asked to (`--file -`). */
  readonly stdin: Readable;
}

/** The process's streams. A closed pipe on stdout (`| head`) ends output quietly. */
export function processIo(): CliIo {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    stdin: process.stdin,
  };
}

/**
 * Collects output lines and hands them to `write` in chunks, so a file of a million pairs costs
 * a few hundred writes instead of a million. Call `flush` before returning.
 */
export class LineBuffer {
  private chunk = '';

  constructor(
    private readonly write: (text: string) => void,
    private readonly chunkSize = 64 * 1024,
  ) {}

  line(text: string): void {
    this.chunk += `${text}\n`;
    if (this.chunk.length >= this.chunkSize) this.flush();
  }

  flush(): void {
    if (this.chunk !== '') {
      this.write(this.chunk);
      this.chunk = '';
    }
  }
}

/**
 * The lines of a stream, decoded as UTF-8, without their `\n` or `\r\n`. A final line without a
 * newline is still a line. Stream errors reject the iteration.
 */
export async function* readLines(input: Readable): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let carry = '';
  for await (const chunk of input) {
    carry += typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer);
    let newline = carry.indexOf('\n');
    while (newline >= 0) {
      yield stripCarriageReturn(carry.slice(0, newline));
      carry = carry.slice(newline + 1);
      newline = carry.indexOf('\n');
    }
  }
  carry += decoder.end();
  if (carry !== '') yield stripCarriageReturn(carry);
}

function stripCarriageReturn(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
