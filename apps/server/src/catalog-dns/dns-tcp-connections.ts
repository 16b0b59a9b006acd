/**
 * DNS over TCP (RFC 1035 §4.2.2, RFC 7766): each message behind a two-byte length, several per connection, answered
 * in order. Bounded everywhere: a message larger than the limit ends its connection, an idle connection is closed,
 * connections past the limit are refused by the server, and a client that does not read its answers is not read
 * from until it does.
 */
import type { Server, Socket } from 'node:net';
import type { Logger } from '@slipway/core';

export interface DnsTcpLimits {
  /** The largest query accepted, in bytes (its length prefix excluded). */
  maxMessageBytes: number;
  /** A connection with no traffic for this long is closed. */
  idleTimeoutMs: number;
  /** Connections open at once; more are closed as they arrive. */
  maxConnections: number;
}

export const defaultDnsTcpLimits: DnsTcpLimits = { maxMessageBytes: 4096, idleTimeoutMs: 10_000, maxConnections: 256 };

const lengthPrefixBytes = 2;

/** Serves `respond` on every connection of `server`; `closeAll` ends the open ones. */
export const serveDnsOverTcp = (
  server: Server,
  respond: (message: Buffer) => Buffer | undefined,
  limits: DnsTcpLimits,
  logger: Logger,
): { closeAll(): void } => {
  const sockets = new Set<Socket>();
  server.maxConnections = limits.maxConnections;

  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.setTimeout(limits.idleTimeoutMs, () => socket.destroy());
    let pending: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      while (pending.length >= lengthPrefixBytes) {
        const length = pending.readUInt16BE(0);
        if (length > limits.maxMessageBytes) {
          logger.debug({ lengthBytes: length }, 'dns tcp message over the limit');
          socket.destroy();
          return;
        }
        if (pending.length < lengthPrefixBytes + length) break;
        const message = pending.subarray(lengthPrefixBytes, lengthPrefixBytes + length);
        pending = pending.subarray(lengthPrefixBytes + length);
        const response = respond(message);
        if (response === undefined) continue;
        const prefix = Buffer.alloc(lengthPrefixBytes);
        prefix.writeUInt16BE(response.length, 0);
        if (!socket.write(Buffer.concat([prefix, response]))) {
          // The client is not reading its answers: stop reading its questions until it does.
          socket.pause();
          socket.once('drain', () => socket.resume());
        }
      }
      // What is left is a part of one message, at most its limit.
      if (pending.length > 0) pending = Buffer.from(pending);
    });
    socket.on('error', (error) => logger.debug({ err: error }, 'dns tcp connection failed'));
    socket.on('close', () => sockets.delete(socket));
  });

  return {
    closeAll() {
      for (const socket of sockets) socket.destroy();
      sockets.clear();
    },
  };
};
