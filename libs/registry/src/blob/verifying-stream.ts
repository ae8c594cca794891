import type { Hash } from 'node:crypto';
import { Transform, TransformCallback } from 'node:stream';
import { ScanError, ScanErrorCode } from '@vulnscan/contracts';
import { createDigester, parseDigest } from '@vulnscan/image-reference';
import type { Descriptor } from '../types';

/**
 * Passes content through while hashing it and ends with an error instead of 'end' when the bytes
 * do not match the descriptor: a consumer can never finish reading wrong content cleanly.
 */
export class DigestVerifyingStream extends Transform {
  private readonly hash: Hash;
  private readonly hex: string;
  private received = 0;

  constructor(
    private readonly expected: Descriptor,
    /** Names the blob in messages, e.g. `blob sha256:… of library/alpine on 127.0.0.1:5000`. */
    private readonly where: string,
  ) {
    super();
    const digest = parseDigest(expected.digest);
    this.hash = createDigester(digest.algorithm);
    this.hex = digest.hex;
  }

  get bytesReceived(): number {
    return this.received;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.received += chunk.length;
    if (this.received > this.expected.size) {
      // Stop at once: an oversized blob may be an attempt to exhaust disk or memory downstream.
      callback(this.mismatch(`more than the ${this.expected.size} bytes its descriptor declares`));
      return;
    }
    this.hash.update(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    if (this.received !== this.expected.size) {
      callback(this.mismatch(`${this.received} bytes, but its descriptor declares ${this.expected.size}`));
      return;
    }
    const actual = this.hash.digest('hex');
    if (actual !== this.hex) {
      callback(this.mismatch(`content hashing to ${this.expected.digest.split(':')[0]}:${actual}`));
      return;
    }
    callback();
  }

  private mismatch(detail: string): ScanError {
    return new ScanError(ScanErrorCode.DigestMismatch, `${this.where} does not match ${this.expected.digest}: received ${detail}`);
  }
}
