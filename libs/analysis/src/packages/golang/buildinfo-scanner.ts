import {
  BUILDINFO_ALIGN,
  BUILDINFO_HEADER_SIZE,
  BUILDINFO_MAGIC,
  type BuildInfoHeader,
  type InlineLimits,
  parseBuildInfoHeader,
  parseInlineStrings,
} from './buildinfo-header';

/** A pre-1.18 header: its pointers need random access to the binary to be followed. */
export interface PointerCandidate {
  offset: number;
  header: BuildInfoHeader;
  /** The 32 header bytes: the two pointers sit at 16 and 16 + ptrSize. */
  bytes: Buffer;
}

export interface ScanLimits extends InlineLimits {
  /** Pre-1.18 candidates kept; a binary has one real header, the rest are look-alikes. */
  maxPointerCandidates: number;
}

/**
 * Finds the build info header in a binary that arrives in chunks, keeping only the bytes that
 * might start a header split across chunks, or a header whose inline strings are still arriving
 * (bounded by the limits). Go 1.18+ inline build info is complete as soon as it has been seen.
 */
export class BuildInfoScanner {
  private window: Buffer = Buffer.alloc(0);
  /** File offset of window[0]. */
  private windowStart = 0;
  found?: { offset: number; goVersion: string; rawModinfo: string };
  readonly pointerCandidates: PointerCandidate[] = [];
  readonly rejected: string[] = [];

  constructor(private readonly limits: ScanLimits) {}

  push(chunk: Buffer): void {
    if (this.found) return;
    this.window = this.window.length ? Buffer.concat([this.window, chunk]) : chunk;
    let from = 0;
    for (;;) {
      const at = this.window.indexOf(BUILDINFO_MAGIC, from);
      if (at < 0) break;
      from = at + 1;
      if ((this.windowStart + at) % BUILDINFO_ALIGN !== 0) continue;
      const outcome = this.candidate(at);
      if (outcome === 'found') return this.release();
      if (outcome === 'need-more') return this.keepFrom(at);
    }
    // Keep enough of the tail to complete a magic that straddles this chunk and the next, from
    // an aligned offset so alignment is still judged on file offsets.
    const tail = this.windowStart + Math.max(0, this.window.length - (BUILDINFO_MAGIC.length - 1));
    const keep = Math.max(0, tail - (tail % BUILDINFO_ALIGN) - this.windowStart);
    // Most tails cannot start a magic at all; keeping none spares copying the next chunk.
    this.keepFrom(this.window.indexOf(BUILDINFO_MAGIC[0], keep) < 0 ? this.window.length : keep, true);
  }

  /** The stream ended: a header still waiting for its strings was cut short. */
  end(): void {
    if (!this.found && this.window.length >= BUILDINFO_HEADER_SIZE && parseBuildInfoHeader(this.window)?.inline) {
      this.rejected.push(`build info at offset ${this.windowStart} is cut short by the end of the file`);
    }
    this.release();
  }

  private candidate(at: number): 'found' | 'need-more' | 'next' {
    if (this.window.length - at < BUILDINFO_HEADER_SIZE) return 'need-more';
    const bytes = this.window.subarray(at, at + BUILDINFO_HEADER_SIZE);
    const header = parseBuildInfoHeader(bytes);
    if (!header) return 'next';
    const offset = this.windowStart + at;
    if (!header.inline) {
      if (this.pointerCandidates.length < this.limits.maxPointerCandidates) {
        this.pointerCandidates.push({ offset, header, bytes: Buffer.from(bytes) });
      }
      return 'next';
    }
    const strings = parseInlineStrings(this.window.subarray(at), this.limits);
    if (strings.kind === 'need-more') return 'need-more';
    if (strings.kind === 'invalid') {
      this.rejected.push(`build info look-alike at offset ${offset}: ${strings.reason}`);
      return 'next';
    }
    this.found = { offset, goVersion: strings.goVersion, rawModinfo: strings.rawModinfo };
    return 'found';
  }

  private keepFrom(index: number, copy = false): void {
    const kept = this.window.subarray(index);
    // Copy a short tail so the whole chunk it came from can be freed.
    this.window = copy ? Buffer.from(kept) : kept;
    this.windowStart += index;
  }

  private release(): void {
    this.window = Buffer.alloc(0);
  }
}
