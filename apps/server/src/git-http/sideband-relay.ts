/**
 * Passes receive-pack's answer to the client and keeps the push open after it: with side-band (which every git since
 * 1.6 asks for), the answer is band packets and one final flush; the relay holds that flush back, so slipwayd can
 * add its own progress on band 2 (the client prints each as `remote: …`) and end the push with the flush, or with a
 * band-3 error, which makes `git push` exit non-zero (gitprotocol-pack(5), "Sideband").
 */
import { PassThrough, type Readable } from 'node:stream';
import { encodePacket, flushPacket, PktLineReader } from './pkt-line-reader.js';

const band = { progress: 2, error: 3 } as const;

export class SidebandRelay {
  readonly output = new PassThrough();
  private readonly packets = new PktLineReader();
  private heldFlush = false;
  private isEnded = false;

  /** `side-band-64k` payloads may be 65,515 bytes, `side-band` ones 999. */
  constructor(private readonly maxPayloadBytes: 65_515 | 999) {}

  /** Copies receive-pack's answer to the client, all but its final flush; resolves when `body` ends. */
  async relay(body: Readable): Promise<void> {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      for (const packet of this.packets.push(chunk)) {
        if (packet.kind === 'flush') {
          if (this.heldFlush) await this.write(flushPacket);
          this.heldFlush = true;
          continue;
        }
        if (this.heldFlush) {
          this.heldFlush = false;
          await this.write(flushPacket);
        }
        await this.write(packet.bytes);
      }
    }
  }

  /** One line of progress, shown by the client as `remote: <line>`. */
  async say(line: string): Promise<void> {
    await this.sendOnBand(band.progress, `${line}\n`);
  }

  /** Ends the push: successfully (the held flush), or failed with `error` on band 3 (`git push` exits non-zero). */
  async end(error?: string): Promise<void> {
    if (this.isEnded) return;
    this.isEnded = true;
    if (error === undefined) {
      await this.write(flushPacket);
    } else {
      await this.sendOnBand(band.error, `${error}\n`);
    }
    this.output.end();
  }

  private async sendOnBand(channel: number, text: string): Promise<void> {
    if (this.isEnded && channel === band.progress) return;
    const bytes = Buffer.from(text, 'utf8');
    for (let offset = 0; offset < bytes.length; offset += this.maxPayloadBytes - 1) {
      const part = bytes.subarray(offset, offset + this.maxPayloadBytes - 1);
      await this.write(encodePacket(Buffer.concat([Buffer.from([channel]), part])));
    }
  }

  private async write(bytes: Buffer): Promise<void> {
    if (this.output.destroyed) return;
    if (this.output.write(bytes)) return;
    // A client that went away closes the stream: that ends the wait too.
    await new Promise<void>((resolve) => {
      const done = (): void => {
        this.output.off('drain', done);
        this.output.off('close', done);
        resolve();
      };
      this.output.once('drain', done);
      this.output.once('close', done);
    });
  }
}
