import * as yauzl from 'yauzl';
import { FeedSourceError, errorMessage } from '../errors';

/** One file of a zip archive, read on demand. */
export interface ZipMember {
  name: string;
  /** As the central directory declares it; yauzl fails the read if the data says otherwise. */
  uncompressedSize: number;
  encrypted: boolean;
  /** The whole file; a corrupt member fails the source (the archive is damaged, not a record). */
  read(): Promise<Buffer>;
}

const OPTIONS: yauzl.Options = { lazyEntries: true, autoClose: false, validateEntrySizes: true };

/**
 * The files of the zip at `path`, one at a time: yauzl reads the central directory lazily, so
 * memory stays flat however many records the archive holds. The archive is closed when the
 * iteration ends, however it ends.
 */
export async function* zipMembers(path: string, label: string): AsyncGenerator<ZipMember> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(path, OPTIONS, (err, z) =>
      err || !z ? reject(new FeedSourceError(label, `not a readable zip file: ${errorMessage(err)}`, { cause: err })) : resolve(z),
    ),
  );
  // yauzl emits errors between our calls too; an unheard 'error' event would crash the process.
  let failed: Error | undefined;
  zip.on('error', (err: Error) => (failed ??= err));
  try {
    for (;;) {
      const entry = await nextEntry(zip, () => failed);
      if (!entry) return;
      if (entry.fileName.endsWith('/')) continue;
      yield {
        name: entry.fileName,
        uncompressedSize: entry.uncompressedSize,
        encrypted: (entry.generalPurposeBitFlag & 0x1) !== 0,
        read: () => readMember(zip, entry, label),
      };
    }
  } catch (err) {
    throw err instanceof FeedSourceError ? err : new FeedSourceError(label, `corrupt zip file: ${errorMessage(err)}`, { cause: err });
  } finally {
    zip.close();
  }
}

function nextEntry(zip: yauzl.ZipFile, failed: () => Error | undefined): Promise<yauzl.Entry | undefined> {
  const earlier = failed();
  if (earlier) return Promise.reject(earlier);
  return new Promise((resolve, reject) => {
    const done = () => {
      zip.off('entry', onEntry);
      zip.off('end', onEnd);
      zip.off('error', onError);
    };
    const onEntry = (entry: yauzl.Entry) => (done(), resolve(entry));
    const onEnd = () => (done(), resolve(undefined));
    const onError = (err: Error) => (done(), reject(err));
    zip.on('entry', onEntry);
    zip.on('end', onEnd);
    zip.on('error', onError);
    zip.readEntry();
  });
}

function readMember(zip: yauzl.ZipFile, entry: yauzl.Entry, label: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const fail = (err: unknown) =>
      reject(new FeedSourceError(label, `corrupt zip member ${entry.fileName}: ${errorMessage(err)}`, { cause: err }));
    zip.openReadStream(entry, (err, stream) => {
      if (err || !stream) return fail(err);
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', fail);
      stream.on('end', () => resolve(Buffer.concat(chunks)));
    });
  });
}
