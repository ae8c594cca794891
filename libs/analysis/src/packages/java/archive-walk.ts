import type { Package } from '../../model';
import { TempSpool } from '../../io';
import { describeManifest, parseManifest } from './manifest';
import { mavenPackage, POM_PROPERTIES } from './maven';
import { type OpenZip, openZipBuffer, openZipFile, type ZipEntry } from './zip';

export interface ArchiveLimits {
  /** Nesting below the archive in the image: an EAR holding a WAR holding jars is depth 2. */
  maxDepth: number;
  /** Uncompressed bytes read from all nested archives of one file together (zip bombs). */
  maxTotalBytes: number;
  /** An archive (or nested archive) larger than this is copied to a temp file instead of held in memory. */
  maxInMemoryBytes: number;
  /** Largest archive read at all, in memory or copied. */
  maxArchiveBytes: number;
  maxEntries: number;
  spoolDir?: string;
}

/** Archives Java runtimes load and that Maven builds with a pom.properties inside. */
export const JAVA_ARCHIVE = /\.(?:jar|war|ear|par|sar|jpi|hpi)$/i;

const MAX_METADATA_BYTES = 1 << 20;

/** Everything found in one archive of the image and in the archives nested in it. */
export class ArchiveWalk {
  readonly warnings: string[] = [];
  private readonly found = new Map<string, Package>();
  private budget: number;

  constructor(
    /** The archive's path in the image: every package found records it. */
    private readonly imagePath: string,
    private readonly limits: ArchiveLimits,
  ) {
    this.budget = limits.maxTotalBytes;
  }

  get packages(): Package[] {
    return [...this.found.values()];
  }

  /** Walks an opened archive; `location` names it in warnings (`app.war!/WEB-INF/lib/x.jar`). */
  async walk(zip: OpenZip, location: string, depth: number): Promise<void> {
    let coordinates = 0;
    let manifest: ZipEntry | undefined;
    const nested: ZipEntry[] = [];
    for (const entry of zip.entries) {
      if (POM_PROPERTIES.test(entry.name)) {
        coordinates++;
        const text = await this.readSmall(zip, entry, location);
        if (text === undefined) continue;
        const pkg = mavenPackage(entry.name, text, this.imagePath);
        if (typeof pkg === 'string') this.warnings.push(`${location}: ${pkg}`);
        else this.found.set(`${pkg.namespace}:${pkg.name}:${pkg.version}`, pkg);
      } else if (entry.name.toUpperCase() === 'META-INF/MANIFEST.MF') {
        manifest = entry;
      } else if (JAVA_ARCHIVE.test(entry.name)) {
        nested.push(entry);
      }
    }
    if (coordinates === 0) await this.noCoordinates(zip, manifest, location);
    for (const entry of nested) await this.walkNested(zip, entry, `${location}!/${entry.name}`, depth + 1);
  }

  /**
   * A manifest's titles and symbolic names are not Maven coordinates (Implementation-Title is
   * often a display name; Bundle-SymbolicName need not be groupId.artifactId), so reporting a
   * package from them would invent one. Say what the archive is instead.
   */
  private async noCoordinates(zip: OpenZip, manifest: ZipEntry | undefined, location: string): Promise<void> {
    const text = manifest ? await this.readSmall(zip, manifest, location) : undefined;
    const said = text === undefined ? 'it has no manifest' : describeManifest(parseManifest(text));
    this.warnings.push(`${location}: no pom.properties, so no Maven coordinates (${said}); not reported`);
  }

  private async walkNested(zip: OpenZip, entry: ZipEntry, location: string, depth: number): Promise<void> {
    if (depth > this.limits.maxDepth) return void this.warnings.push(`${location}: nested deeper than ${this.limits.maxDepth}; not read`);
    if (entry.encrypted) return void this.warnings.push(`${location}: encrypted; not read`);
    const size = entry.uncompressedSize;
    if (size > this.limits.maxArchiveBytes || size > this.budget) {
      return void this.warnings.push(`${location}: ${size} bytes is over the archive size limits; not read`);
    }
    this.budget -= size;
    let spool: TempSpool | undefined;
    let inner: OpenZip | undefined;
    try {
      if (size <= this.limits.maxInMemoryBytes) {
        inner = await openZipBuffer(await zip.read(entry), this.limits.maxEntries);
      } else {
        spool = await TempSpool.create(size, this.limits.spoolDir);
        for await (const chunk of await zip.stream(entry)) {
          if (!(await spool.write(typeof chunk === 'string' ? Buffer.from(chunk) : chunk))) throw new Error('larger than declared');
        }
        inner = await openZipFile(spool.path, this.limits.maxEntries);
      }
      await this.walk(inner, location, depth);
    } catch (err) {
      this.warnings.push(`${location}: not a readable archive (${err instanceof Error ? err.message : String(err)})`);
    } finally {
      inner?.close();
      await spool?.dispose();
    }
  }

  private async readSmall(zip: OpenZip, entry: ZipEntry, location: string): Promise<string | undefined> {
    const problem = entry.encrypted
      ? 'is encrypted'
      : entry.uncompressedSize > Math.min(MAX_METADATA_BYTES, this.budget)
        ? 'is over the size limits'
        : undefined;
    if (problem) {
      this.warnings.push(`${location}: ${entry.name} ${problem}; not read`);
      return undefined;
    }
    // Thousands of small entries add up too: they count against the same budget.
    this.budget -= entry.uncompressedSize;
    try {
      return (await zip.read(entry)).toString('utf8');
    } catch (err) {
      this.warnings.push(`${location}: ${entry.name}: ${err instanceof Error ? err.message : String(err)}`);
      return undefined;
    }
  }
}
