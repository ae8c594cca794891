import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ScanError, ScanErrorCode } from '@vulnscan/contracts';
import { DigestVerifyingStream } from './verifying-stream';

const content = Buffer.from('hello layer content');
const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function drain(data: Buffer, descriptor: { digest: string; size: number }): Promise<{ read: Buffer; ended: boolean }> {
  const verifier = new DigestVerifyingStream(descriptor, 'blob x');
  const chunks: Buffer[] = [];
  let ended = false;
  verifier.on('end', () => (ended = true));
  await pipeline(Readable.from([data.subarray(0, 5), data.subarray(5)]), verifier, async (source: AsyncIterable<Buffer>) => {
    for await (const chunk of source) chunks.push(chunk);
  });
  return { read: Buffer.concat(chunks), ended };
}

describe('DigestVerifyingStream', () => {
  it('passes matching content through and ends', async () => {
    await expect(drain(content, { digest: sha256(content), size: content.length })).resolves.toEqual({ read: content, ended: true });
  });

  it('supports sha512', async () => {
    const digest = `sha512:${createHash('sha512').update(content).digest('hex')}`;
    await expect(drain(content, { digest, size: content.length })).resolves.toMatchObject({ ended: true });
  });

  it('errors instead of ending when the content differs but the size matches', async () => {
    const tampered = Buffer.from(content);
    tampered[0] = tampered[0]! ^ 0xff;
    const error = await drain(tampered, { digest: sha256(content), size: content.length }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScanError);
    expect((error as ScanError).code).toBe(ScanErrorCode.DigestMismatch);
    expect((error as ScanError).message).toBe(`blob x does not match ${sha256(content)}: received content hashing to ${sha256(tampered)}`);
  });

  it('errors on truncated and on oversized content', async () => {
    const short = await drain(content.subarray(0, 10), { digest: sha256(content), size: content.length }).catch((e: ScanError) => e);
    expect(short).toMatchObject({
      code: ScanErrorCode.DigestMismatch,
      message: expect.stringContaining('received 10 bytes, but its descriptor declares 19'),
    });
    const long = await drain(content, { digest: sha256(content), size: 4 }).catch((e: ScanError) => e);
    expect(long).toMatchObject({ code: ScanErrorCode.DigestMismatch, message: expect.stringContaining('more than the 4 bytes') });
  });
});
