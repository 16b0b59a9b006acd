/**
 * Admits client connections up to the caps (in all and per client address) and refuses the others with one short
 * answer, then cuts them once their linger is over: a flood of connections costs the router a bounded number of
 * descriptors, and every app stays reachable for other clients (and slipwayd's route updates still get through).
 */
import type { Socket } from 'node:net';
import type { ClientLimits } from './client-limits.js';
import { errorResponseText, type EdgeErrorKind } from './error-response.js';

/** Refused sockets kept open for their answer to leave; beyond this, more are cut without one. */
const maxRefusingSockets = 1_024;

export class ConnectionAdmission {
  /** Connections refused since the start. */
  refusedCount = 0;
  private openCount = 0;
  private readonly perAddress = new Map<string, number>();
  private handshakeCount = 0;
  private readonly handshakesPerAddress = new Map<string, number>();
  /** Refused sockets whose answer is leaving, with when they were refused. */
  private readonly refusing = new Map<Socket, number>();

  constructor(private readonly limits: ClientLimits) {}

  /** Counts the connection in and returns true, or answers it with a refusal and returns false. */
  admit(socket: Socket, address: string, nowMs: number): boolean {
    const fromAddress = this.perAddress.get(address) ?? 0;
    const refusal: EdgeErrorKind | undefined =
      this.openCount >= this.limits.maxConnections
        ? 'too-many-connections'
        : fromAddress >= this.limits.maxConnectionsPerAddress
          ? 'too-many-client-connections'
          : undefined;
    if (refusal === undefined) {
      this.openCount += 1;
      this.perAddress.set(address, fromAddress + 1);
      return true;
    }
    this.refuse(socket, refusal, nowMs);
    return false;
  }

  /**
   * Counts in a TLS handshake (a descriptor too, for up to the head timeout) against both caps, with the connections
   * of its address; over either, the socket is cut at once (no HTTP answer can be given before a handshake).
   */
  admitHandshake(socket: Socket, address: string): boolean {
    const fromAddress = (this.perAddress.get(address) ?? 0) + (this.handshakesPerAddress.get(address) ?? 0);
    if (
      this.openCount + this.handshakeCount >= this.limits.maxConnections ||
      fromAddress >= this.limits.maxConnectionsPerAddress
    ) {
      this.refusedCount += 1;
      socket.destroy();
      return false;
    }
    this.handshakeCount += 1;
    this.handshakesPerAddress.set(address, (this.handshakesPerAddress.get(address) ?? 0) + 1);
    return true;
  }

  /** A handshake counted in by `admitHandshake` ended (completed, failed or cut). */
  handshakeEnded(address: string): void {
    this.handshakeCount -= 1;
    const fromAddress = (this.handshakesPerAddress.get(address) ?? 1) - 1;
    if (fromAddress === 0) this.handshakesPerAddress.delete(address);
    else this.handshakesPerAddress.set(address, fromAddress);
  }

  /** An admitted connection closed. */
  release(address: string): void {
    this.openCount -= 1;
    const fromAddress = (this.perAddress.get(address) ?? 1) - 1;
    if (fromAddress === 0) this.perAddress.delete(address);
    else this.perAddress.set(address, fromAddress);
  }

  /** Cuts refused sockets whose client has not closed within `lingerMs`. */
  sweep(nowMs: number, lingerMs: number): void {
    for (const [socket, refusedAtMs] of this.refusing) if (nowMs - refusedAtMs > lingerMs) socket.destroy();
  }

  destroyAll(): void {
    for (const socket of this.refusing.keys()) socket.destroy();
    this.refusing.clear();
  }

  private refuse(socket: Socket, kind: EdgeErrorKind, nowMs: number): void {
    this.refusedCount += 1;
    socket.on('error', () => undefined);
    if (this.refusing.size >= maxRefusingSockets) {
      socket.destroy();
      return;
    }
    this.refusing.set(socket, nowMs);
    socket.once('close', () => this.refusing.delete(socket));
    // The request it may already have sent is read and dropped: unread bytes would turn the close into a reset that
    // can discard the answer before the client reads it.
    socket.resume();
    socket.end(errorResponseText(kind, { host: '', accept: undefined, requestId: '' }, true, false).text);
  }
}
