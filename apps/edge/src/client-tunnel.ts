/**
 * A switched protocol (101 Switching Protocols) between a client and its upstream: the response head and any bytes
 * that came after it go to the client, then the two sockets are piped until either ends.
 */
import type { Socket } from 'node:net';
import type { ClientWriter } from './client-writer.js';
import type { ExchangeClient } from './exchange-client.js';
import { clientResponseHead } from './forwarded-headers.js';
import type { HttpHead } from './http-head.js';
import type { UpstreamConnection } from './upstream-connection.js';

/**
 * Opens the tunnel; `onClosed` runs once it has ended, when `writer.sentBytes` counts what it carried. `tunnels`
 * holds its upstream socket meanwhile (shutdown cuts them).
 */
export function openClientTunnel(
  client: ExchangeClient,
  writer: ClientWriter,
  upstream: UpstreamConnection,
  head: HttpHead,
  tunnels: Set<Socket>,
  onClosed: () => void,
): void {
  const rest = upstream.detach();
  const socket = client.socket;
  writer.send(clientResponseHead(head, { connection: undefined, isChunked: false, isUpgrade: true }));
  if (rest !== undefined) writer.send(rest);
  // What the tunnel carries is counted by the socket (once, at its end: then nothing is left queued).
  const bytesAtTunnel = socket.bytesWritten - writer.sentBytes;
  tunnels.add(upstream.socket);
  client.startTunnel(upstream.socket, () => {
    writer.sentBytes = socket.bytesWritten - bytesAtTunnel;
    tunnels.delete(upstream.socket);
    onClosed();
  });
}
