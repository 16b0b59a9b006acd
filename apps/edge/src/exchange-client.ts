/** The side of a client connection an exchange sees: its socket, who it is, and the calls that steer its reading. */
import type { Socket } from 'node:net';

/** What an exchange needs of the client connection it belongs to. */
export interface ExchangeClient {
  readonly socket: Socket;
  readonly clientAddress: string;
  readonly localPort: string;
  /** `https` when the connection came over the TLS listener. */
  readonly proto: 'http' | 'https';
  /** The peer is a trusted proxy: its forwarding fields are kept and appended to. */
  readonly isTrustedPeer: boolean;
  /** The client half-closed its side: no further request will come. */
  readonly isEnded: boolean;
  /** Bytes of a next (pipelined) request are buffered. */
  readonly hasPendingInput: boolean;
  /** The client is not read because the upstream does not take the request body (a stall is then the upstream's). */
  readonly isHeldByUpstream: boolean;
  /** The exchange is over; `keepAlive` says whether the connection may carry another one. */
  exchangeFinished(keepAlive: boolean): void;
  pauseReading(): void;
  resumeReading(): void;
  /** A 101 answer: the client's bytes (those held since the request first) go to `upstream` as they are, and back. */
  startTunnel(upstream: Socket, onClosed: () => void): void;
}
