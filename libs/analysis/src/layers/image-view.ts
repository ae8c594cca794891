import type { LayerEntry, LayerEntryType } from './tar-walk';
import { DEFAULT_LAYER_LIMITS } from './limits';
import { Kind, NodeFields, NodeTable } from './node-table';
import { parentAndName, pathParts } from './paths';
import { UNMETERED, resolveInTree, type Resolution, type StepMeter } from './resolve';

export type { Resolution, StepMeter, SymlinkProblem } from './resolve';

/** One path of the final filesystem view. */
export interface ViewEntry {
  path: string;
  type: LayerEntryType;
  /** Index of the layer this path comes from. */
  layer: number;
  /** Bytes for files and hardlinks (a hardlink has its target's size), 0 otherwise. */
  size: number;
  mode: number;
  /** Symlinks: the target as stored; hardlinks: the path of the file whose content they share. */
  linkTarget?: string;
}

/** What applying one entry did: `content` identifies the bytes a file or hardlink carries. */
export type ApplyOutcome = { effect: 'added'; content: number } | { effect: 'whiteout' | 'opaque' | 'ignored' };

const OPAQUE = '.wh..wh..opq';
const WHITEOUT = '.wh.';
const KINDS: Record<LayerEntryType, Kind> = {
  file: Kind.File,
  dir: Kind.Dir,
  symlink: Kind.Symlink,
  hardlink: Kind.Hardlink,
  other: Kind.Other,
};
const TYPES: Record<Kind, LayerEntryType | undefined> = { 0: undefined, 1: 'file', 2: 'dir', 3: 'symlink', 4: 'hardlink', 5: 'other' };

/**
 * The filesystem a container runtime would show, built layer by layer with OCI/docker semantics:
 * later entries replace earlier ones, `.wh.<name>` deletes a lower layer's `<name>`, `.wh..wh..opq`
 * empties a directory of lower layers' content, and a directory replaced by anything else loses
 * its subtree. Symlinks resolve inside the image root only. Holds metadata, never content.
 */
export class ImageView {
  private readonly table = new NodeTable();
  private readonly maxSymlinkDepth: number;
  private readonly warn: (message: string) => void;
  private readonly meter: StepMeter;
  private readonly reported = new Set<string>();
  private readonly hardlinks = new Map<number, number[]>();
  private serial = 0;

  /** `meter` pays for every resolution step, so that all resolutions of one image share one budget. */
  constructor(options: { maxSymlinkDepth?: number; warn?(message: string): void; meter?: StepMeter } = {}) {
    this.maxSymlinkDepth = options.maxSymlinkDepth ?? DEFAULT_LAYER_LIMITS.maxSymlinkDepth;
    this.warn = options.warn ?? (() => undefined);
    this.meter = options.meter ?? UNMETERED;
  }

  /** Entries in the view. */
  get size(): number {
    return this.table.count;
  }

  /** Applies one entry of layer `layer`; layers must be applied in order, entries in archive order. */
  apply(entry: Pick<LayerEntry, 'path' | 'type' | 'mode' | 'size' | 'linkTarget'>, layer: number): ApplyOutcome {
    if (entry.path === '') return { effect: 'ignored' };
    const { parent, name } = parentAndName(entry.path);
    if (name.startsWith(WHITEOUT)) return this.applyWhiteout(parent, name, layer);

    const fields: NodeFields = { kind: KINDS[entry.type], layer, mode: entry.mode, size: 0, content: 0 };
    if (entry.type === 'file') {
      fields.size = entry.size;
      fields.content = ++this.serial;
    } else if (entry.type === 'symlink') {
      fields.link = entry.linkTarget ?? '';
    } else if (entry.type === 'hardlink') {
      const target = this.lookup(entry.linkTarget ?? '');
      const kind = target === undefined ? Kind.None : this.table.kind(target);
      if (target === undefined || (kind !== Kind.File && kind !== Kind.Hardlink)) {
        this.warn(`layer ${layer}: hardlink ${entry.path} -> ${entry.linkTarget}: no such file in this or an earlier layer; skipped`);
        return { effect: 'ignored' };
      }
      const linked = this.table.fields(target);
      Object.assign(fields, { size: linked.size, content: linked.content, link: entry.linkTarget });
    }

    const dir = this.directory(parent, layer);
    const existing = this.table.child(dir, name);
    if (existing === undefined) {
      const node = this.table.add(dir, name, fields);
      this.noteHardlink(node, fields);
    } else if (fields.kind === Kind.Dir && this.table.kind(existing) === Kind.Dir) {
      // A directory over a directory merges: it takes the new metadata and keeps the children.
      this.table.set(existing, fields);
    } else {
      this.table.set(existing, fields);
      this.noteHardlink(existing, fields);
    }
    return { effect: 'added', content: fields.content };
  }

  /** The entry at `path` itself (a symlink is not followed). */
  get(path: string): ViewEntry | undefined {
    const node = this.lookup(path.replace(/^\/+/, ''));
    return node === undefined || node === NodeTable.ROOT ? undefined : this.entryOf(node);
  }

  /** Every entry of the final view, depth first, siblings in name order. */
  *entries(): IterableIterator<ViewEntry> {
    const stack = this.table.sortedChildren(NodeTable.ROOT).reverse();
    while (stack.length > 0) {
      const node = stack.pop() as number;
      yield this.entryOf(node);
      if (this.table.kind(node) === Kind.Dir) pushAll(stack, this.table.sortedChildren(node).reverse());
    }
  }

  /**
   * Where `path` leads once every symlink on the way is followed, never leaving the image root. A
   * link that escapes, a cycle or a chain over maxSymlinkDepth gives a problem, recorded as a
   * warning once; a missing target gives `dangling`, which is common and not worth a warning.
   * Throws when the view's step meter has no steps left.
   */
  resolve(path: string): Resolution {
    const result = resolveInTree(this.table, path, this.maxSymlinkDepth, this.meter);
    if ('problem' in result && result.problem !== 'dangling') {
      const key = `${path}\0${result.problem}`;
      if (!this.reported.has(key)) {
        this.reported.add(key);
        this.warn(`symlink ${path}: ${result.problem.replace('_', ' ')}; not followed`);
      }
    }
    return result;
  }

  /** Resolves every symlink once, so the links that escape, loop or nest too deep are on record. */
  checkSymlinks(): void {
    for (const node of this.table.symlinks()) this.resolve(this.table.pathOf(node));
  }

  /**
   * The surviving paths that carry the bytes of content serial `content`, first read at `path`:
   * `path` itself if it still holds them, then hardlinks sharing them, in path order.
   */
  holdersOf(content: number, path: string): ViewEntry[] {
    const holders: ViewEntry[] = [];
    const own = this.lookup(path);
    if (own !== undefined && this.table.kind(own) === Kind.File && this.table.fields(own).content === content)
      holders.push(this.entryOf(own));
    const links = (this.hardlinks.get(content) ?? []).filter((node) => {
      const fields = this.table.fields(node);
      return fields.kind === Kind.Hardlink && fields.content === content;
    });
    const paths = [...new Set(links.map((node) => this.table.pathOf(node)))].sort();
    return holders.concat(paths.map((p) => this.get(p) as ViewEntry));
  }

  private applyWhiteout(parent: string, name: string, layer: number): ApplyOutcome {
    const dir = this.lookup(parent);
    const isDir = dir !== undefined && this.table.kind(dir) === Kind.Dir;
    if (name === OPAQUE) {
      if (isDir) for (const child of this.table.sortedChildren(dir)) this.pruneLower(child, layer);
      return { effect: 'opaque' };
    }
    // Other `.wh..wh.` names are aufs bookkeeping (hardlink dirs), not files of the image.
    if (name.startsWith(WHITEOUT + WHITEOUT)) return { effect: 'ignored' };
    const victim = isDir ? this.table.child(dir, name.slice(WHITEOUT.length)) : undefined;
    if (victim !== undefined) this.pruneLower(victim, layer);
    return { effect: 'whiteout' };
  }

  /**
   * Deletes what lower layers put at `node` and below. What `layer` itself added stays: a whiteout
   * only hides lower layers, and a directory this layer still fills keeps existing.
   */
  private pruneLower(node: number, layer: number): void {
    const order: number[] = [];
    const stack = [node];
    while (stack.length > 0) {
      const n = stack.pop() as number;
      order.push(n);
      if (this.table.kind(n) === Kind.Dir) pushAll(stack, this.table.sortedChildren(n));
    }
    // Children before parents, so a parent knows whether anything of this layer is left in it.
    for (let i = order.length - 1; i >= 0; i--) {
      const n = order[i];
      if (this.table.fields(n).layer >= layer) continue;
      if (this.table.kind(n) === Kind.Dir && this.table.hasChildren(n)) this.table.setLayer(n, layer);
      else this.table.remove(n);
    }
  }

  /** The directory at `path`, created as needed; a lower layer's file or link in the way is replaced. */
  private directory(path: string, layer: number): number {
    let dir = NodeTable.ROOT;
    for (const name of pathParts(path)) {
      const child = this.table.child(dir, name);
      if (child === undefined) dir = this.table.add(dir, name, { kind: Kind.Dir, layer, mode: 0o755, size: 0, content: 0 });
      else {
        if (this.table.kind(child) !== Kind.Dir) this.table.set(child, { kind: Kind.Dir, layer, mode: 0o755, size: 0, content: 0 });
        dir = child;
      }
    }
    return dir;
  }

  /** The node at a normalized path, without following symlinks. */
  private lookup(path: string): number | undefined {
    let node: number | undefined = NodeTable.ROOT;
    for (const name of pathParts(path)) {
      node = this.table.child(node, name);
      if (node === undefined) return undefined;
    }
    return node;
  }

  private noteHardlink(node: number, fields: NodeFields): void {
    if (fields.kind !== Kind.Hardlink) return;
    const list = this.hardlinks.get(fields.content);
    if (list) list.push(node);
    else this.hardlinks.set(fields.content, [node]);
  }

  private entryOf(node: number): ViewEntry {
    const fields = this.table.fields(node);
    const entry: ViewEntry = {
      path: this.table.pathOf(node),
      type: TYPES[fields.kind] as LayerEntryType,
      layer: fields.layer,
      size: fields.size,
      mode: fields.mode,
    };
    if (fields.link !== undefined) entry.linkTarget = fields.link;
    return entry;
  }
}

/** `push(...items)` overflows the call stack for a directory with a few hundred thousand entries. */
function pushAll(stack: number[], items: number[]): void {
  for (const item of items) stack.push(item);
}
