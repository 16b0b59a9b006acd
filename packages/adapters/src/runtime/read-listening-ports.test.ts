import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '@slipway/testkit';
import { parseListeningSockets, readListeningPorts } from './read-listening-ports.js';
import { readProcStat } from './read-proc-stat.js';

const table = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:0BB8 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 4242 1 0000 100 0 0 10 0
   1: 0100007F:9C40 0100007F:0BB8 01 00000000:00000000 00:00000000 00000000  1000        0 4343 1 0000 20 4 30 10 -1
`;

describe('reading the ports a process group listens on', () => {
  const children: number[] = [];

  afterEach(() => {
    for (const pid of children.splice(0)) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
  });

  it('reads listening sockets (state 0A) with their port and inode, and leaves connected ones out', () => {
    expect(parseListeningSockets(table)).toEqual([{ port: 3000, inode: '4242' }]);
  });

  it('finds the port a child of the group listens on, not the ports of other processes', async () => {
    // The leader is a shell whose child (the group's member) listens on a port of its own choosing.
    const program = `require('node:net').createServer().listen(0, '127.0.0.1', function () { console.log(this.address().port); });`;
    const leader = spawn('/bin/sh', ['-c', `${JSON.stringify(process.execPath)} -e ${JSON.stringify(program)}; :`], {
      detached: true,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const pid = leader.pid ?? 0;
    children.push(pid);
    const [chunk] = (await once(leader.stdout, 'data')) as [Buffer];
    const port = Number(chunk.toString().trim());
    const startTicks = readProcStat(pid)?.startTicks ?? 0;

    const ports = await waitFor(() => {
      const found = readListeningPorts(pid, startTicks);
      if (found === undefined || found.length === 0) throw new Error('not listening yet');
      return found;
    });

    expect(ports).toEqual([port]);
  });

  it('answers undefined for a group that is gone', () => {
    expect(readListeningPorts(2 ** 22 + 12_345, 0)).toBeUndefined();
  });
});
