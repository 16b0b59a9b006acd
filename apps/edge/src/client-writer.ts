/**
 * What an exchange writes to its client: heads as latin1 (field values keep the bytes they were read with), a
 * response head held until the first body bytes can leave with it in one write, body bytes copied out of the
 * upstream's reused read buffer, and the count of bytes written (for the access log).
 */
import type { Socket } from 'node:net';

/**
 * Body bytes up to this size go out in one write with the response head, copied into its string (a larger first
 * piece goes beside it, copied out of the read buffer, in a corked write: two buffers, one syscall).
 */
const maxBodyBytesWithHead = 16_384;

export class ClientWriter {
  /** Bytes written to the client for this exchange (`socket.bytesWritten` walks the whole unsent queue each time). */
  sentBytes = 0;
  /** The response head, until the first body bytes can go with it (or the read that brought it ends). */
  private heldHead: string | undefined = undefined;

  constructor(private readonly socket: Socket) {}

  /** Writes and counts the bytes; a string is a head (latin1) by default. False when the socket is backed up. */
  send(data: string | Buffer, encoding: BufferEncoding = 'latin1'): boolean {
    if (typeof data !== 'string') this.sentBytes += data.length;
    else this.sentBytes += encoding === 'latin1' ? data.length : Buffer.byteLength(data, encoding);
    return this.socket.write(data, encoding);
  }

  /** Keeps the response head for the first body bytes (see `sendBody`, `sendHeldHead`). */
  holdHead(head: string): void {
    this.heldHead = head;
  }

  /**
   * Writes body bytes `data[start, end)`, with a held head. `data` is the upstream's read buffer, reused by its next
   * read: what is written leaves as a copy (a write the socket cannot take at once keeps what it was given); up to
   * `maxBodyBytesWithHead` the copy is a latin1 string (one byte per char). False when the socket is backed up.
   */
  sendBody(data: Buffer, start: number, end: number): boolean {
    const head = this.heldHead;
    const isSmall = end - start <= maxBodyBytesWithHead;
    if (head === undefined)
      return isSmall
        ? this.send(data.toString('latin1', start, end))
        : this.send(Buffer.from(data.subarray(start, end)));
    this.heldHead = undefined;
    if (isSmall) return this.send(head + data.toString('latin1', start, end));
    this.socket.cork();
    this.send(head);
    const isFlowing = this.send(Buffer.from(data.subarray(start, end)));
    this.socket.uncork();
    return isFlowing;
  }

  /** A head still held (no body bytes came with it) leaves now. */
  sendHeldHead(): void {
    const head = this.heldHead;
    if (head === undefined) return;
    this.heldHead = undefined;
    this.send(head);
  }
}
