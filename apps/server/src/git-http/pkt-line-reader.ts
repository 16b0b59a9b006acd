/**
 * Reads git's pkt-line framing (gitprotocol-common(5)) from chunks as they arrive: each packet is a 4-digit hex length
 * (that counts itself) and its payload; `0000` is a flush, `0001` a delimiter and `0002` a response end. A packet is
 * at most 65,520 bytes, so what is held between two chunks is bounded by that.
 */
import { SlipwayError } from '@slipway/contract';

/** The largest packet git sends or accepts (LARGE_PACKET_MAX), its length prefix included. */
export const maxPacketBytes = 65_520;

export type Packet =
  | { readonly kind: 'data'; readonly payload: Buffer; readonly bytes: Buffer }
  | { readonly kind: 'flush' | 'delimiter' | 'response-end'; readonly bytes: Buffer };

const specials = { 0: 'flush', 1: 'delimiter', 2: 'response-end' } as const;

export class PktLineReader {
  private pending: Buffer = Buffer.alloc(0);
  private isStopped = false;

  /**
   * The packets `chunk` completes, in order; bytes of an unfinished packet are kept for the next chunk. With
   * `stopAtFlush`, reading ends at the first flush (what follows, such as a pack, is not pkt-lines) and later chunks
   * are ignored.
   */
  push(chunk: Buffer, options: { stopAtFlush?: boolean } = {}): Packet[] {
    if (this.isStopped) return [];
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const packets: Packet[] = [];
    let offset = 0;
    while (this.pending.length - offset >= 4) {
      const prefix = this.pending.toString('latin1', offset, offset + 4);
      if (!/^[0-9a-f]{4}$/i.test(prefix)) {
        throw new SlipwayError('VALIDATION_FAILED', 'the git request is not in pkt-line framing');
      }
      const length = Number.parseInt(prefix, 16);
      if (length < 4) {
        const kind = specials[length as 0 | 1 | 2] ?? undefined;
        if (kind === undefined) throw new SlipwayError('VALIDATION_FAILED', `invalid pkt-line length ${prefix}`);
        packets.push({ kind, bytes: this.pending.subarray(offset, offset + 4) });
        offset += 4;
        if (kind === 'flush' && options.stopAtFlush === true) {
          this.isStopped = true;
          this.pending = Buffer.alloc(0);
          return packets;
        }
        continue;
      }
      if (length > maxPacketBytes)
        throw new SlipwayError('VALIDATION_FAILED', `pkt-line longer than ${maxPacketBytes}`);
      if (this.pending.length - offset < length) break;
      const bytes = this.pending.subarray(offset, offset + length);
      packets.push({ kind: 'data', payload: bytes.subarray(4), bytes });
      offset += length;
    }
    // Copied, so a held remainder does not pin the whole chunk it came from.
    this.pending = Buffer.from(this.pending.subarray(offset));
    return packets;
  }

  /** Bytes received that are not a whole packet yet. */
  get heldBytes(): number {
    return this.pending.length;
  }
}

/** One data packet: its length prefix and `payload`. */
export function encodePacket(payload: Buffer): Buffer {
  const length = payload.length + 4;
  if (length > maxPacketBytes) throw new RangeError(`pkt-line payload of ${payload.length} bytes is too long`);
  return Buffer.concat([Buffer.from(length.toString(16).padStart(4, '0'), 'latin1'), payload]);
}

export const flushPacket = Buffer.from('0000', 'latin1');
