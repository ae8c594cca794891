/** What a node is. Numbers, because a million of them live in a typed array. */
export const Kind = { None: 0, File: 1, Dir: 2, Symlink: 3, Hardlink: 4, Other: 5 } as const;
export type Kind = (typeof Kind)[keyof typeof Kind];

export interface NodeFields {
  kind: Kind;
  layer: number;
  mode: number;
  size: number;
  /** Which file's bytes a file or hardlink carries: the serial of the entry that streamed them. */
  content: number;
  /** Symlink target as stored, or a hardlink's normalized target path. */
  link?: string;
}

const MAX_LAYER = 0xffff;

/**
 * The image's file tree, stored column-wise so a million entries fit in tens of megabytes: one name
 * per node, numbers in typed arrays, a child map only for directories, link targets only for links.
 * Node 0 is the root. Freed nodes are reused.
 */
export class NodeTable {
  static readonly ROOT = 0;
  private names: string[] = [''];
  private parents = new Int32Array(1024);
  private kinds = new Uint8Array(1024);
  private layers = new Uint16Array(1024);
  private modes = new Uint16Array(1024);
  private sizes = new Float64Array(1024);
  private contents = new Uint32Array(1024);
  private children: (Map<string, number> | undefined)[] = [new Map()];
  private links = new Map<number, string>();
  private free: number[] = [];
  private used = 1;
  private alive = 0;

  constructor() {
    this.kinds[NodeTable.ROOT] = Kind.Dir;
    this.modes[NodeTable.ROOT] = 0o755;
    this.parents[NodeTable.ROOT] = -1;
  }

  /** Live nodes, the root excluded. */
  get count(): number {
    return this.alive;
  }

  kind(node: number): Kind {
    return this.kinds[node] as Kind;
  }

  fields(node: number): NodeFields {
    const link = this.links.get(node);
    const fields: NodeFields = {
      kind: this.kind(node),
      layer: this.layers[node],
      mode: this.modes[node],
      size: this.sizes[node],
      content: this.contents[node],
    };
    if (link !== undefined) fields.link = link;
    return fields;
  }

  child(dir: number, name: string): number | undefined {
    return this.children[dir]?.get(name);
  }

  hasChildren(dir: number): boolean {
    return (this.children[dir]?.size ?? 0) > 0;
  }

  /** Child node ids in name order, so listings are stable. */
  sortedChildren(dir: number): number[] {
    const map = this.children[dir];
    if (!map) return [];
    return [...map.keys()].sort().map((name) => map.get(name) as number);
  }

  pathOf(node: number): string {
    const parts: string[] = [];
    for (let n = node; n > NodeTable.ROOT; n = this.parents[n]) parts.push(this.names[n]);
    return parts.reverse().join('/');
  }

  add(parent: number, name: string, fields: NodeFields): number {
    const node = this.free.pop() ?? this.grow();
    this.names[node] = name;
    this.parents[node] = parent;
    this.set(node, fields);
    (this.children[parent] as Map<string, number>).set(name, node);
    this.alive++;
    return node;
  }

  /** Overwrites a node's fields; a directory turning into anything else loses its subtree. */
  set(node: number, fields: NodeFields): void {
    if (fields.layer > MAX_LAYER) throw new RangeError(`layer index ${fields.layer} over ${MAX_LAYER}`);
    if (fields.kind !== Kind.Dir) this.removeChildren(node);
    this.kinds[node] = fields.kind;
    this.layers[node] = fields.layer;
    this.modes[node] = fields.mode & 0o7777;
    this.sizes[node] = fields.size;
    this.contents[node] = fields.content;
    if (fields.link === undefined) this.links.delete(node);
    else this.links.set(node, fields.link);
    if (fields.kind === Kind.Dir) this.children[node] ??= new Map();
    else this.children[node] = undefined;
  }

  setLayer(node: number, layer: number): void {
    this.layers[node] = layer;
  }

  /** Removes a node and its subtree. */
  remove(node: number): void {
    this.removeChildren(node);
    this.children[this.parents[node]]?.delete(this.names[node]);
    this.release(node);
  }

  removeChildren(dir: number): void {
    const map = this.children[dir];
    if (!map || map.size === 0) return;
    // Iterative: a crafted archive can nest deeper than the call stack.
    const stack = [...map.values()];
    map.clear();
    while (stack.length > 0) {
      const node = stack.pop() as number;
      const grandchildren = this.children[node];
      if (grandchildren) for (const child of grandchildren.values()) stack.push(child);
      this.release(node);
    }
  }

  /** Every live symlink node. */
  symlinks(): number[] {
    return [...this.links.keys()].filter((node) => this.kinds[node] === Kind.Symlink);
  }

  private release(node: number): void {
    this.kinds[node] = Kind.None;
    this.names[node] = '';
    this.children[node] = undefined;
    this.links.delete(node);
    this.free.push(node);
    this.alive--;
  }

  private grow(): number {
    if (this.used === this.kinds.length) {
      const capacity = this.kinds.length * 2;
      this.parents = resized(this.parents, new Int32Array(capacity));
      this.kinds = resized(this.kinds, new Uint8Array(capacity));
      this.layers = resized(this.layers, new Uint16Array(capacity));
      this.modes = resized(this.modes, new Uint16Array(capacity));
      this.sizes = resized(this.sizes, new Float64Array(capacity));
      this.contents = resized(this.contents, new Uint32Array(capacity));
    }
    return this.used++;
  }
}

function resized<T extends Int32Array | Uint8Array | Uint16Array | Float64Array | Uint32Array>(from: T, to: T): T {
  to.set(from);
  return to;
}
