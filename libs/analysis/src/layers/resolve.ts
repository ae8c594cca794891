import { Kind, NodeTable } from './node-table';
import { NAME_MAX } from './paths';

export type SymlinkProblem = 'escapes_root' | 'cycle' | 'too_deep' | 'dangling';

/** A path inside the image root (normalized, no leading slash), or why there is none. */
export type Resolution = { path: string } | { problem: SymlinkProblem };

/** Where resolution steps are paid for; throws when the image has none left. */
export interface StepMeter {
  spendSymlinkSteps(count: number): void;
}

export const UNMETERED: StepMeter = { spendSymlinkSteps: () => undefined };

/**
 * Follows `path` through the tree component by component, the way the kernel would inside a
 * chroot, except that `..` above the root is an escape rather than a no-op: a layer that tries it
 * is attacking the scanner (or the host that unpacks it), and saying so is more useful than
 * pretending the link points somewhere harmless. Absolute targets start again at the image root.
 *
 * Linear in what it walks: every component queued (the path's own and each followed link's) and
 * every link followed is one step paid to `meter`, and nothing is rebuilt per step.
 */
export function resolveInTree(table: NodeTable, path: string, maxDepth: number, meter: StepMeter = UNMETERED): Resolution {
  // Pending components, next one last, so a link's target can be pushed in front of the rest.
  const pending: string[] = [];
  queue(pending, path, meter);
  // The directories walked so far, root first: `..` pops one.
  const walked: number[] = [NodeTable.ROOT];
  const loops = new LoopDetector();
  let followed = 0;
  while (pending.length > 0) {
    const name = pending.pop() as string;
    loops.popped(pending.length);
    if (name === '' || name === '.') continue;
    if (name === '..') {
      if (walked.length === 1) return { problem: 'escapes_root' };
      walked.pop();
      continue;
    }
    const dir = walked[walked.length - 1];
    // A file in the middle of a path (ENOTDIR) leads nowhere, like a missing one; so does a name
    // no entry can have (ENAMETOOLONG), which is not even worth hashing.
    const node = name.length <= NAME_MAX && table.kind(dir) === Kind.Dir ? table.child(dir, name) : undefined;
    if (node === undefined) return { problem: 'dangling' };
    if (table.kind(node) !== Kind.Symlink) {
      walked.push(node);
      continue;
    }
    if (loops.revisits(node, pending.length)) return { problem: 'cycle' };
    if (++followed > maxDepth) return { problem: 'too_deep' };
    meter.spendSymlinkSteps(1);
    const target = table.fields(node).link ?? '';
    if (target === '') return { problem: 'dangling' };
    if (target.startsWith('/')) walked.length = 1;
    queue(pending, target, meter);
  }
  return { path: table.pathOf(walked[walked.length - 1]) };
}

/** Pushes the components of `path` so that its first one is popped next, paying one step for each. */
function queue(pending: string[], path: string, meter: StepMeter): void {
  const parts = path.split('/');
  meter.spendSymlinkSteps(parts.length);
  for (let i = parts.length - 1; i >= 0; i--) pending.push(parts[i]);
}

/**
 * Finds a link followed twice with the same remainder of the path still to walk: from there the
 * walk can only repeat itself. The remainder is the pending stack, so instead of comparing stacks
 * it is enough to know that the stack kept its height and was never popped below it in between:
 * then every component under that height is untouched. Visits are kept as a stack of heights
 * that never decreases upwards; a pop below a visit's height forgets that visit. Each visit is
 * remembered and forgotten once, so detection costs O(1) per step. A loop whose remainder is
 * rebuilt on the way round (popped and pushed again) is not recognized here; the follow count
 * still stops it, as `too_deep`, the way the kernel reports every loop (ELOOP).
 */
class LoopDetector {
  private readonly visits: { node: number; height: number }[] = [];
  /** The (node, height) pairs of `visits`: a pair is never in it twice, that would be a cycle. */
  private readonly live = new Set<string>();

  /** The pending stack was popped down to `height`. */
  popped(height: number): void {
    for (let top = this.visits.at(-1); top !== undefined && top.height > height; top = this.visits.at(-1)) {
      this.visits.pop();
      this.live.delete(keyOf(top.node, top.height));
    }
  }

  /** Records following `node` with `height` components pending; true if that state was seen before. */
  revisits(node: number, height: number): boolean {
    const key = keyOf(node, height);
    if (this.live.has(key)) return true;
    this.visits.push({ node, height });
    this.live.add(key);
    return false;
  }
}

function keyOf(node: number, height: number): string {
  return `${node}:${height}`;
}
