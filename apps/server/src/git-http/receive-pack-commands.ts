/**
 * The ref updates a `git push` asks for, read from the start of its receive-pack request: `<old> <new> <ref>` lines
 * (the first carries the client's capabilities after a NUL) up to the first flush, before the pack itself
 * (gitprotocol-pack(5), "Reference Update Request"). Bounded: what comes before the flush may not exceed
 * `maxCommandBytes`.
 */
import { SlipwayError } from '@slipway/contract';
import { PktLineReader } from './pkt-line-reader.js';

export interface RefUpdateCommand {
  readonly ref: string;
  /** The ref's commit before the push; null when the push creates it. */
  readonly before: string | null;
  /** The ref's commit after the push; null when the push deletes it. */
  readonly after: string | null;
}

export interface PushCommands {
  readonly updates: readonly RefUpdateCommand[];
  readonly capabilities: ReadonlySet<string>;
}

/** 1 MiB of ref updates: thousands of refs in one push. */
export const maxCommandBytes = 1024 * 1024;

const commandPattern = /^([0-9a-f]{40}|[0-9a-f]{64}) ([0-9a-f]{40}|[0-9a-f]{64}) (refs\/[^\0\n]+)$/;
const isZero = (oid: string): boolean => /^0+$/.test(oid);

export class ReceivePackCommandReader {
  private readonly packets = new PktLineReader();
  private readonly updates: RefUpdateCommand[] = [];
  private capabilities = new Set<string>();
  private seenBytes = 0;
  private result: PushCommands | undefined;

  /** Feeds the next request bytes; the commands once their flush has arrived, else undefined. */
  push(chunk: Buffer): PushCommands | undefined {
    if (this.result !== undefined) return this.result;
    this.seenBytes += chunk.length;
    for (const packet of this.packets.push(chunk, { stopAtFlush: true })) {
      if (packet.kind !== 'data') {
        this.result = { updates: this.updates, capabilities: this.capabilities };
        return this.result;
      }
      this.take(packet.payload.toString('utf8'));
    }
    if (this.seenBytes > maxCommandBytes) {
      throw new SlipwayError('PAYLOAD_TOO_LARGE', `a push may update refs named in at most ${maxCommandBytes} bytes`);
    }
    return undefined;
  }

  get commands(): PushCommands | undefined {
    return this.result;
  }

  private take(line: string): void {
    const [command = '', caps] = line.replace(/\n$/, '').split('\0');
    if (caps !== undefined && this.updates.length === 0) this.capabilities = new Set(caps.trim().split(' '));
    // `shallow` lines and a signed push's certificate carry no update we act on.
    const match = commandPattern.exec(command);
    if (match === null) return;
    const [, before = '', after = '', ref = ''] = match;
    this.updates.push({ ref, before: isZero(before) ? null : before, after: isZero(after) ? null : after });
  }
}
