/**
 * A log follower that never reads is disconnected by slipwayd once its stream has not drained for the stall timeout:
 * its socket is closed from slipwayd's side, and slipwayd logs how many it has closed so.
 */
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@slipway/testkit';
import { fixturesDir, SlipwaydHarness } from './slipwayd-harness.js';

const stalledFollowers = 3;

describe('a log follower that never reads', () => {
  let slipwayd: SlipwaydHarness;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    slipwayd = await SlipwaydHarness.create();
    await slipwayd.start({ args: ['--stream-stall-timeout-ms', '1000'] });
    expect((await slipwayd.cli(['apps', 'create', 'chatty'])).code).toBe(0);
    const deployed = await slipwayd.cli(['deploy', 'chatty', '--path', join(fixturesDir, 'chatty-logs')]);
    expect(deployed.code, deployed.stdout + deployed.stderr).toBe(0);
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await slipwayd.destroy();
  });

  it('is disconnected by slipwayd, which counts it in its log, and the API still answers', async () => {
    const token = (await slipwayd.adminToken()) ?? '';
    const closedByServer = new Set<Socket>();
    for (let index = 0; index < stalledFollowers; index += 1) {
      const socket = connect({ host: '127.0.0.1', port: slipwayd.apiPort });
      socket.on('error', () => closedByServer.add(socket));
      // 'end': slipwayd closed its side; this client never ends or destroys the socket itself before then.
      socket.on('end', () => closedByServer.add(socket));
      socket.on('close', () => closedByServer.add(socket));
      socket.pause();
      socket.write(
        `GET /api/v1/apps/chatty/logs?follow=true&tail=10000 HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
          `Authorization: Bearer ${token}\r\n\r\n`,
      );
      sockets.push(socket);
    }

    // Paused, a client sees its socket's end only once it reads again: let the kernel hand over what is queued.
    await waitFor(() => expect(slipwayd.output).toMatch(new RegExp(`"stalledDisconnects":${stalledFollowers}\\b`)), {
      timeoutMs: 60_000,
    });
    for (const socket of sockets) socket.resume();
    await waitFor(() => expect(closedByServer.size).toBe(stalledFollowers), { timeoutMs: 30_000 });
    expect((await slipwayd.fetch('/api/v1/apps')).status).toBe(200);
  }, 120_000);
});
