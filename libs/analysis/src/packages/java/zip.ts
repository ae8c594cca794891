import * as yauzl from 'yauzl';

/** The parts of a zip entry the archive walk needs. */
export interface ZipEntry {
  name: string;
  uncompressedSize: number;
  encrypted: boolean;
  entry: yauzl.Entry;
}

export interface OpenZip {
  entries: ZipEntry[];
  /** The whole entry; yauzl checks the data against the declared size, so a bomb stops there. */
  read(entry: ZipEntry): Promise<Buffer>;
  /** Streams the entry (for one too large to hold in memory). */
  stream(entry: ZipEntry): Promise<NodeJS.ReadableStream>;
  close(): void;
}

const OPTIONS: yauzl.Options = { lazyEntries: true, autoClose: false, validateEntrySizes: true };

export async function openZipBuffer(buffer: Buffer, maxEntries: number): Promise<OpenZip> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.fromBuffer(buffer, OPTIONS, (err, z) => (err ? reject(err) : resolve(z))),
  );
  return listed(zip, maxEntries);
}

export async function openZipFile(path: string, maxEntries: number): Promise<OpenZip> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(path, OPTIONS, (err, z) => (err ? reject(err) : resolve(z))),
  );
  return listed(zip, maxEntries);
}

/** Reads the central directory (names and sizes only), then offers the entries' data. */
function listed(zip: yauzl.ZipFile, maxEntries: number): Promise<OpenZip> {
  if (zip.entryCount > maxEntries) {
    zip.close();
    return Promise.reject(new Error(`${zip.entryCount} entries is over the limit of ${maxEntries}`));
  }
  return new Promise((resolve, reject) => {
    const entries: ZipEntry[] = [];
    zip.on('entry', (entry: yauzl.Entry) => {
      entries.push({ name: entry.fileName, uncompressedSize: entry.uncompressedSize, encrypted: entry.isEncrypted(), entry });
      zip.readEntry();
    });
    zip.on('end', () => resolve(handle(zip, entries)));
    zip.on('error', (err: Error) => {
      zip.close();
      reject(err);
    });
    zip.readEntry();
  });
}

function handle(zip: yauzl.ZipFile, entries: ZipEntry[]): OpenZip {
  const stream = (e: ZipEntry): Promise<NodeJS.ReadableStream> =>
    new Promise((resolve, reject) => zip.openReadStream(e.entry, (err, s) => (err ? reject(err) : resolve(s))));
  return {
    entries,
    stream,
    read: async (e) => {
      const chunks: Buffer[] = [];
      for await (const chunk of await stream(e)) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
      return Buffer.concat(chunks);
    },
    close: () => zip.close(),
  };
}
