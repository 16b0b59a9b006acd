/**
 * Sends a batch to a syslog server over TCP (`syslog://`) or TLS (`syslog+tls://`, RFC 5425): one connection per
 * batch, every frame written and flushed, and the receiver closing its side after reading to the end (or a second
 * passing with no reset), before the batch counts as sent. Syslog over TCP has no acknowledgement of its own; a
 * connection refused, a TLS handshake that fails verification, a write cut short or a reset fails the batch, which is
 * sent again.
 */
import { connect as connectTcp, isIP, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import type { DrainedLogLine, LogDrainDestination } from '@slipway/core';
import { receiverOf, sendFailure } from './drain-send-errors.js';
import { syslogFrames } from './syslog-message.js';

const defaultPorts = { 'syslog+tls:': 6514, 'syslog:': 514 } as const;
/** After the batch is flushed, how long a reset (the receiver gone without reading it) may still fail it. */
const sentGraceMs = 1_000;

export async function sendSyslogBatch(
  destination: LogDrainDestination,
  lines: readonly DrainedLogLine[],
  hostname: string,
  signal: AbortSignal,
): Promise<void> {
  const url = new URL(destination.url);
  const receiver = receiverOf(url);
  const isTls = url.protocol === 'syslog+tls:';
  const host = url.hostname.replace(/^\[|\]$/gu, '');
  const port = url.port === '' ? defaultPorts[isTls ? 'syslog+tls:' : 'syslog:'] : Number(url.port);
  const frames = syslogFrames(lines, hostname);
  if (signal.aborted) throw sendFailure(receiver, undefined, signal);
  await new Promise<void>((resolve, reject) => {
    const socket: Socket = isTls
      ? connectTls({
          host,
          port,
          ...(isIP(host) === 0 ? { servername: host } : {}),
          ...(destination.caPem === undefined ? {} : { ca: destination.caPem }),
        })
      : connectTcp({ host, port });
    const fail = (error: unknown): void => {
      clearTimeout(graceTimer);
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      reject(sendFailure(receiver, error, signal));
    };
    const onAbort = (): void => fail(undefined);
    const done = (): void => {
      clearTimeout(graceTimer);
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve();
    };
    let graceTimer: ReturnType<typeof setTimeout> | undefined;
    let isFlushed = false;
    // Over TLS the frames go once the handshake verified the receiver, over TCP once connected. Flushed is not
    // enough: a receiver going away resets a connection whose data it never read. The batch counts as sent once the
    // receiver closes its side after reading to our end, or when a short grace passes with no reset (a receiver that
    // keeps its side open).
    socket.once(isTls ? 'secureConnect' : 'connect', () => {
      socket.end(frames, () => {
        isFlushed = true;
        graceTimer = setTimeout(done, sentGraceMs);
      });
    });
    // The receiver closing before our frames were flushed may not have read them: sent again (at least once).
    socket.once('end', () => (isFlushed ? done() : fail(new Error('the receiver closed the connection early'))));
    socket.resume();
    socket.on('error', fail);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
