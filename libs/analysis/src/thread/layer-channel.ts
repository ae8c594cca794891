import { Readable } from 'node:stream';
import type { MessagePort } from 'node:worker_threads';
import type { FromThread, ToThread } from './protocol';

/**
 * The analysis thread's end of a task's port: layers arrive as streams of chunks the main thread
 * sends, and each chunk is acknowledged only once the stream has room for it, so the main thread
 * never sends (and the registry never delivers) faster than the walk reads.
 */
export class LayerChannel {
  private readonly streams = new Map<number, { stream: Readable; owed: number }>();
  private readonly continues = new Map<number, () => void>();

  constructor(private readonly port: MessagePort) {
    port.on('message', (message: ToThread) => this.receive(message));
  }

  post(message: FromThread): void {
    this.port.postMessage(message);
  }

  open(layer: number): Promise<Readable> {
    const state = { owed: 0, stream: undefined as unknown as Readable };
    state.stream = new Readable({
      highWaterMark: 1024 * 1024,
      read: () => {
        for (; state.owed > 0; state.owed--) this.post({ type: 'ack', layer });
      },
    });
    this.streams.set(layer, state);
    this.post({ type: 'open', layer });
    return Promise.resolve(state.stream);
  }

  /** Reports a walked layer and waits until the main thread says to go on. */
  layerDone(layer: number): Promise<void> {
    this.streams.delete(layer);
    return new Promise((resolve) => {
      this.continues.set(layer, resolve);
      this.post({ type: 'layer-done', layer });
    });
  }

  close(): void {
    this.port.close();
  }

  private receive(message: ToThread): void {
    if (message.type === 'continue') {
      this.continues.get(message.layer)?.();
      this.continues.delete(message.layer);
      return;
    }
    const state = this.streams.get(message.layer);
    if (!state) return;
    if (message.type === 'end') {
      state.stream.push(null);
      return;
    }
    const { data } = message;
    if (state.stream.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength))) this.post({ type: 'ack', layer: message.layer });
    else state.owed++;
  }
}
