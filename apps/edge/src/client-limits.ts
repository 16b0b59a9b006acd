/**
 * What client connections are held to, with the defaults: a timeout for every phase of a connection, and caps on
 * connections (in all and per client address) and on requests a client may send ahead of their answers.
 */

export interface ClientTimeouts {
  /** A keep-alive connection without a request is closed after this (blank lines between requests do not count). */
  readonly idleMs: number;
  /** A request head must be complete this long after its first byte (slow-loris): else 408 and close. */
  readonly headMs: number;
  /** A request body that stops arriving for this long is the client's fault: 408 (or a close) and no upstream blamed. */
  readonly bodyMs: number;
  /** A client that takes none of the bytes queued for it for this long is cut (it does not read its answers). */
  readonly sendMs: number;
  /** After the router's last answer on a connection has left, the client has this long to close before it is cut. */
  readonly lingerMs: number;
  /** A tunnel (after a 101) that carries no byte either way for this long is closed on both sides. */
  readonly tunnelIdleMs: number;
}

export interface ClientLimits {
  /** Open client connections; one more is answered 503 and closed. */
  readonly maxConnections: number;
  /** Open client connections from one address; one more is answered 429 and closed. */
  readonly maxConnectionsPerAddress: number;
  /** Requests a client may send ahead of their answers; the last one allowed is answered with `Connection: close`. */
  readonly maxPipelinedRequests: number;
}

export const defaultClientTimeouts: ClientTimeouts = {
  idleMs: 75_000,
  headMs: 30_000,
  bodyMs: 60_000,
  sendMs: 60_000,
  lingerMs: 5_000,
  tunnelIdleMs: 3_600_000,
};

/** Each client connection costs one descriptor, and one more towards its upstream while a request runs. */
export const defaultClientLimits: ClientLimits = {
  maxConnections: 8_192,
  maxConnectionsPerAddress: 512,
  maxPipelinedRequests: 64,
};
