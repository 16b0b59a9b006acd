/**
 * The drain sender against real receivers on loopback: syslog over TCP and over TLS verified with a certificate
 * authority made for the test, HTTP with batched JSON and Basic credentials from the URL, and the coded failures
 * (unreachable, rejected, an unverifiable certificate, the deadline) that never name the URL's secret parts.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DrainedLogLine } from '@slipway/core';
import {
  createTestCertificateAuthority,
  failureOf,
  sampleDrainedLine,
  startHttpDrainReceiver,
  startSyslogReceiver,
  waitFor,
  type TestCertificateAuthority,
} from '@slipway/testkit';
import { createLogDrainSender } from './log-drain-sender.js';

const sender = createLogDrainSender({ hostname: 'node-a' });
const deadline = () => AbortSignal.timeout(5_000);
const lines: DrainedLogLine[] = [1, 2, 3].map((id) =>
  sampleDrainedLine({ id, line: `line ${id}`, atMs: Date.UTC(2026, 11, 7) }),
);

describe('the log drain sender', () => {
  let ca: TestCertificateAuthority;
  let other: TestCertificateAuthority;

  beforeAll(async () => {
    [ca, other] = await Promise.all([createTestCertificateAuthority(), createTestCertificateAuthority()]);
  }, 30_000);

  it('writes every line as an octet-counted RFC 5424 frame over TCP', async () => {
    const receiver = await startSyslogReceiver();
    await sender.send({ kind: 'syslog', url: receiver.url }, lines, deadline());
    await waitFor(() => expect(receiver.received).toHaveLength(3));
    expect(receiver.received[0]).toMatch(
      /^<14>1 2026-12-07T00:00:00.000Z node-a shop ins_1 stdout \[slipway@32473 seq="1" /u,
    );
    expect(receiver.received.map((m) => m.split('] ')[1])).toEqual(['line 1', 'line 2', 'line 3']);
    await receiver.stop();
  });

  it('sends over TLS verified with the drain’s own certificate authority, and refuses another', async () => {
    const receiver = await startSyslogReceiver({ tls: { cert: ca.cert, key: ca.key } });
    await sender.send({ kind: 'syslog', url: receiver.url, caPem: ca.caPem }, lines, deadline());
    await waitFor(() => expect(receiver.received).toHaveLength(3));
    const error = await failureOf(
      sender.send({ kind: 'syslog', url: receiver.url, caPem: other.caPem }, lines, deadline()),
    );
    expect(error.code).toBe('LOG_DRAIN_UNREACHABLE');
    expect(receiver.received).toHaveLength(3);
    await receiver.stop();
  });

  it('POSTs the batch as one JSON array, with the URL’s user and password as Basic credentials', async () => {
    const receiver = await startHttpDrainReceiver();
    const url = `http://drain:s3cret-token@127.0.0.1:${receiver.port}/ingest?token=t0k3n`;
    await sender.send({ kind: 'http', url }, lines, deadline());
    expect(receiver.received).toHaveLength(1);
    const [batch] = receiver.received;
    expect(batch?.path).toBe('/ingest?token=t0k3n');
    expect(batch?.headers.authorization).toBe(`Basic ${Buffer.from('drain:s3cret-token').toString('base64')}`);
    expect(batch?.lines.map((l) => [l['seq'], l['app'], l['instance'], l['stream'], l['line']])).toEqual([
      [1, 'shop', 'ins_1', 'stdout', 'line 1'],
      [2, 'shop', 'ins_1', 'stdout', 'line 2'],
      [3, 'shop', 'ins_1', 'stdout', 'line 3'],
    ]);
    await receiver.stop();
  });

  it('fails coded, naming the receiver by scheme, host and port only', async () => {
    const receiver = await startHttpDrainReceiver();
    receiver.statuses.push(503);
    const url = `http://drain:s3cret-token@127.0.0.1:${receiver.port}/ingest?token=t0k3n`;
    const rejected = await failureOf(sender.send({ kind: 'http', url }, lines, deadline()));
    expect(rejected.code).toBe('LOG_DRAIN_REJECTED');
    expect(rejected.message).toBe(`http://127.0.0.1:${receiver.port} answered HTTP 503`);
    await receiver.stop();
    const unreachable = await failureOf(sender.send({ kind: 'http', url }, lines, deadline()));
    expect(unreachable.code).toBe('LOG_DRAIN_UNREACHABLE');
    for (const error of [rejected, unreachable]) {
      expect(JSON.stringify({ message: error.message, details: error.details })).not.toMatch(/s3cret|t0k3n|ingest/u);
    }
  });

  describe('a receiver that never answers', () => {
    let silent: Server;
    let port = 0;
    const held: Socket[] = [];
    beforeAll(async () => {
      // Accepts connections and never answers: a TLS handshake never completes.
      silent = createServer((socket) => held.push(socket));
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      port = (silent.address() as { port: number }).port;
    });
    afterAll(async () => {
      for (const socket of held) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    });

    it('fails at the deadline with LOG_DRAIN_TIMEOUT', async () => {
      const error = await failureOf(
        sender.send({ kind: 'syslog', url: `syslog+tls://127.0.0.1:${port}` }, lines, AbortSignal.timeout(200)),
      );
      expect(error.code).toBe('LOG_DRAIN_TIMEOUT');
    });
  });
});
