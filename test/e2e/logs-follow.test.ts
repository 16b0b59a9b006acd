/**
 * `slipway logs -f` through the real CLI against a real slipwayd: it keeps following the app's instances as they come
 * and go (a config release, a scale-up, a restart) until interrupted, every line with its time, the backlog of
 * several instances in time order.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@slipway/testkit';
import { repoRoot, SlipwaydHarness } from './slipwayd-harness.js';

const cliEntry = join(repoRoot, 'apps', 'cli', 'dist', 'slipway.mjs');
const timePrefix = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z /;

/** Says which release and instance it is at start, then serves. */
const server = `console.log('started release ' + process.env.SLIPWAY_RELEASE + ' as ' + process.env.SLIPWAY_INSTANCE_ID);
require('node:http').createServer((q, s) => s.end('ok')).listen(Number(process.env.PORT));
process.on('SIGTERM', () => process.exit(0));
`;

interface Follower {
  child: ChildProcessWithoutNullStreams;
  lines: () => string[];
}

describe('following the logs of an app', () => {
  let slipwayd: SlipwaydHarness;
  let dir: string;
  const followers: Follower[] = [];

  beforeAll(async () => {
    slipwayd = await SlipwaydHarness.create();
    await slipwayd.start();
    dir = await mkdtemp(join(tmpdir(), 'slipway-follow-app-'));
    await writeFile(join(dir, 'Procfile'), 'web: node server.js\n');
    await writeFile(join(dir, 'server.js'), server);
    expect((await slipwayd.cli(['apps', 'create', 'tail'])).code).toBe(0);
    const deployed = await slipwayd.cli(['deploy', 'tail', '--path', dir]);
    expect(deployed.code, deployed.stdout + deployed.stderr).toBe(0);
  });

  afterAll(async () => {
    for (const follower of followers) follower.child.kill('SIGKILL');
    await slipwayd.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  const follow = (args: string[]): Follower => {
    const child = spawn(process.execPath, [cliEntry, 'logs', 'tail', '-f', ...args], {
      cwd: repoRoot,
      env: { ...process.env, ...slipwayd.cliEnv() },
    });
    let text = '';
    child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const follower = { child, lines: () => text.split('\n').filter((line) => line !== '') };
    followers.push(follower);
    return follower;
  };

  const waitForLine = (follower: Follower, pattern: RegExp, count = 1): Promise<string[]> =>
    waitFor(
      () => {
        const found = follower.lines().filter((line) => pattern.test(line));
        if (found.length < count)
          throw new Error(`${count} × ${String(pattern)} not followed yet:\n${follower.lines().join('\n')}`);
        return found;
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );

  const idsOf = (lines: readonly string[]): Set<string> =>
    new Set(lines.map((line) => /as (\S+)$/.exec(line)?.[1] ?? ''));

  it('follows new releases, scale-ups and restarts until interrupted, each line with its time', async () => {
    const follower = follow([]);
    await waitForLine(follower, /started release 1 as /);

    expect((await slipwayd.cli(['config', 'set', 'tail', 'COLOUR=blue'])).code).toBe(0);
    await waitForLine(follower, /started release 2 as /);

    expect((await slipwayd.cli(['scale', 'tail', 'web=2'])).code).toBe(0);
    const scaled = await waitForLine(follower, /started release 2 as /, 2);
    expect(idsOf(scaled).size).toBe(2);

    expect((await slipwayd.cli(['restart', 'tail'])).code).toBe(0);
    const restarted = await waitForLine(follower, /started release 2 as /, 4);
    expect(idsOf(restarted).size).toBe(4);

    expect(follower.child.exitCode).toBeNull();
    for (const line of follower.lines()) expect(line).toMatch(timePrefix);
    const exited = new Promise<number | null>((resolve) => follower.child.once('exit', resolve));
    follower.child.kill('SIGINT');
    expect(await exited).toBe(0);
  });

  it('starts with the backlog of every instance in time order, and gives the time in --json too', async () => {
    const follower = follow(['--json', '-n', '50']);
    const lines = await waitFor(() => {
      const parsed = follower
        .lines()
        .map((line) => JSON.parse(line) as { time: string; line: string; instanceId: string });
      if (parsed.filter((entry) => entry.line.startsWith('started release 2')).length < 2)
        throw new Error('no backlog yet');
      return parsed;
    });
    const times = lines.map((entry) => Date.parse(entry.time));
    expect(times.every((time) => Number.isFinite(time))).toBe(true);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(new Set(lines.map((entry) => entry.instanceId)).size).toBeGreaterThanOrEqual(2);
    follower.child.kill('SIGINT');
  });
});
