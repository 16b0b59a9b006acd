/**
 * One request's stay in the cold-start hold (scale to zero): its place in its route's queue, the bytes counted
 * against the queue's bounds and the body received meanwhile. Made only when a request is first held, so a request
 * that goes straight to an upstream allocates nothing for it.
 */
import type { ColdStartHolds, HeldExchange } from './cold-start-holds.js';
import type { RouteTarget } from './route-index.js';

export class RequestHold {
  /** In its route's queue now (false once let go by a table, timed out, refused, or left by its client). */
  isHeld = false;
  /** What the request holds against its route's bound: its head and the body received so far. */
  private heldBytes = 0;
  /** Body bytes received while held, sent once an instance takes the request. */
  private body: Buffer[] | undefined = undefined;

  constructor(
    private readonly exchange: HeldExchange,
    private readonly holds: ColdStartHolds,
  ) {}

  /** Takes a place in `target`'s queue with the request head and the body held so far; false when it is full. */
  enter(target: RouteTarget, requestHeadText: string): boolean {
    let bytes = Buffer.byteLength(requestHeadText, 'latin1');
    for (const chunk of this.body ?? []) bytes += chunk.length;
    if (!this.holds.hold(this.exchange, target, bytes)) return false;
    this.isHeld = true;
    this.heldBytes = bytes;
    return true;
  }

  /**
   * Keeps the body bytes `data[start, end)` (copied: the read buffer is reused) for the instance to come; false when
   * they pass the route's bound, and the request is out of the queue.
   */
  keepBody(target: RouteTarget, data: Buffer, start: number, end: number): boolean {
    const slice = Buffer.from(data.subarray(start, end));
    if (!this.holds.addBytes(target, slice.length)) {
      this.leave(target);
      return false;
    }
    this.heldBytes += slice.length;
    (this.body ??= []).push(slice);
    return true;
  }

  /** Out of the queue, with the bytes it held (it timed out, was refused, or its client left). */
  leave(target: RouteTarget | undefined): void {
    if (!this.isHeld || target === undefined) return;
    this.isHeld = false;
    this.holds.drop(this.exchange, target, this.heldBytes);
  }

  /** The body received while held, handed over once, to the upstream that takes the request. */
  takeBody(): Buffer[] | undefined {
    const body = this.body;
    this.body = undefined;
    return body;
  }
}
