import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { BlobFlight } from './blob-flight';
import { FsBlobStore } from './fs-blob-store';

const digestOf = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const tick = () => new Promise((resolve) => setTimeout(resolve, 20));

/** Collects what a reader has delivered so far, and how it ended. */
function watch(reader: Readable) {
  const seen = { bytes: Buffer.alloc(0), ended: false, error: undefined as Error | undefined };
  reader.on('data', (chunk: Buffer) => (seen.bytes = Buffer.concat([seen.bytes, chunk])));
  reader.on('end', () => (seen.ended = true));
  reader.on('error', (error) => (seen.error = error));
  return seen;
}

describe('BlobFlight', () => {
  let root: string;
  let store: FsBlobStore;
  const content = Buffer.from('0123456789abcdefghij');
  const digest = digestOf(content);

  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'blob-flight-'));
    store = new FsBlobStore(root);
    await store.init();
  });

  afterEach(() => rm(root, { recursive: true, force: true }));

  function flightOver(upstream: PassThrough, place = jest.fn(async () => undefined), opens = { count: 0 }) {
    const flight = new BlobFlight(digest, content.length, {
      store,
      signal: new AbortController().signal,
      place,
      open: async () => {
        opens.count += 1;
        return upstream;
      },
    });
    return { flight, place, opens };
  }

  it('streams to readers while downloading, holds the last byte until verified, then stores and places once', async () => {
    const upstream = new PassThrough();
    const { flight, place } = flightOver(upstream);
    await flight.started;
    const early = watch(flight.reader());
    upstream.write(content.subarray(0, 8));
    await tick();
    const late = watch(flight.reader()); // joins mid-download, still gets everything from the start
    upstream.write(content.subarray(8));
    await tick();
    // Every byte arrived, but the stream has not ended (verified): the last byte is held back.
    expect(early.bytes).toEqual(content.subarray(0, content.length - 1));
    expect(early.ended).toBe(false);
    expect(await store.stat(digest)).toBeUndefined();

    upstream.end();
    await flight.done;
    await tick();
    expect(early).toMatchObject({ bytes: content, ended: true, error: undefined });
    expect(late).toMatchObject({ bytes: content, ended: true, error: undefined });
    expect(await store.stat(digest)).toEqual({ size: content.length });
    expect(place).toHaveBeenCalledTimes(1);
    // A reader after the flight ended reads the stored blob.
    expect(await buffer(flight.reader())).toEqual(content);
  });

  it('cuts its readers instead of ending them when the download fails, and stores nothing', async () => {
    const upstream = new PassThrough();
    const { flight, place } = flightOver(upstream);
    await flight.started;
    const reader = watch(flight.reader());
    upstream.write(content);
    await tick();
    upstream.destroy(new Error('blob does not match its digest'));
    await expect(flight.done).rejects.toThrow('does not match');
    await tick();
    expect(reader.ended).toBe(false);
    expect(reader.error?.message).toMatch(/does not match/);
    expect(reader.bytes.length).toBe(content.length - 1);
    expect(await store.stat(digest)).toBeUndefined();
    expect(await readdir(path.join(root, 'spool'))).toEqual([]);
    expect(place).not.toHaveBeenCalled();
  });

  it('rejects `started` when the upstream refuses the blob', async () => {
    const flight = new BlobFlight(digest, content.length, {
      store,
      signal: new AbortController().signal,
      place: async () => undefined,
      open: async () => {
        throw new Error('HTTP 404');
      },
    });
    await expect(flight.started).rejects.toThrow('HTTP 404');
    await expect(flight.done).rejects.toThrow('HTTP 404');
  });

  it('serves one range of a verified flight', async () => {
    const upstream = new PassThrough();
    const { flight } = flightOver(upstream);
    upstream.end(content);
    await flight.done;
    expect((await buffer(flight.reader({ start: 10, end: 13 }))).toString()).toBe('abcd');
  });
});
