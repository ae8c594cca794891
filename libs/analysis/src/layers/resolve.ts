import { Kind, NodeTable } from './node-table';

export type SymlinkProblem = 'escapes_root' | 'cycle' | 'too_deep' | 'dangling';

/** A path inside the image root (normalized, no leading slash), or why there is none. */
export type Resolution = { path: string } | { problem: SymlinkProblem };

/**
 * Follows `path` through the tree component by component, the way the kernel would inside a
 * chroot, except that `..` above the root is an escape rather than a no-op: a layer that tries it
 * is attacking the scanner (or the host that unpacks it), and saying so is more useful than
 * pretending the link points somewhere harmless. Absolute targets start again at the image root.
 */
export function resolveInTree(table: NodeTable, path: string, maxDepth: number): Resolution {
  // Pending components, next one last, so a link's target can be pushed in front of the rest.
  const pending = path.split('/').reverse();
  // The directories walked so far, root first: `..` pops one.
  const walked: number[] = [NodeTable.ROOT];
  const seen = new Set<string>();
  let followed = 0;
  while (pending.length > 0) {
    const name = pending.pop() as string;
    if (name === '' || name === '.') continue;
    if (name === '..') {
      if (walked.length === 1) return { problem: 'escapes_root' };
      walked.pop();
      continue;
    }
    const dir = walked[walked.length - 1];
    // A file in the middle of a path (ENOTDIR) leads nowhere, like a missing one.
    const node = table.kind(dir) === Kind.Dir ? table.child(dir, name) : undefined;
    if (node === undefined) return { problem: 'dangling' };
    if (table.kind(node) !== Kind.Symlink) {
      walked.push(node);
      continue;
    }
    // The same link with the same remainder can only lead to itself again.
    const state = `${node}\0${pending.join('/')}`;
    if (seen.has(state)) return { problem: 'cycle' };
    seen.add(state);
    if (++followed > maxDepth) return { problem: 'too_deep' };
    const target = table.fields(node).link ?? '';
    if (target === '') return { problem: 'dangling' };
    if (target.startsWith('/')) walked.length = 1;
    for (const part of target.split('/').reverse()) pending.push(part);
  }
  return { path: table.pathOf(walked[walked.length - 1]) };
}
