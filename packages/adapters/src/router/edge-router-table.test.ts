import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { RoutingTable } from '@slipway/contract';
import { isAlive, waitForExit } from './edge-process.js';
import { createEdgeRouterTable } from './edge-router-table.js';
import {
  edgeEntry,
  freePort,
  get,
  launcherEntry,
  newStateDir,
  procStat,
  silentLogger,
  startedRouters,
  tableTo,
  useEdgeRouterFixtures,
} from './edge-router-test-fixtures.js';

useEdgeRouterFixtures();
describe('the edge router table', () => {
  it('spawns a detached router, routes through it, is found again by a later client, and stops it', async () => {
    const stateDir = await newStateDir();
    const port = await freePort();
    const options = { stateDir, listen: { host: '127.0.0.1', port }, edgeEntry, logger: silentLogger };

    const first = createEdgeRouterTable(options);
    expect(await first.status()).toEqual({ isRunning: false, pid: null, address: `127.0.0.1:${port}`, routes: 0 });
    await first.ensureRunning();
    const started = await first.status();
    expect(started.isRunning).toBe(true);
    const pid = started.pid ?? -1;
    startedRouters.set(pid, stateDir);
    expect(pid).not.toBe(process.pid);
    // Its own session: a signal to slipwayd's process group or terminal does not reach it.
    expect((await procStat(pid)).session).toBe(pid);

    await first.apply(tableTo('hello.test'));
    expect(await get(port, 'hello.test')).toEqual({ statusCode: 200, body: 'hello from upstream, hello.test' });

    // slipwayd restarts: a new client object finds the same router, which kept serving meanwhile.
    const second = createEdgeRouterTable(options);
    expect(await get(port, 'hello.test')).toMatchObject({ statusCode: 200 });
    await second.ensureRunning();
    expect(await second.status()).toEqual({
      isRunning: true,
      pid,
      address: `127.0.0.1:${port}`,
      routes: 1,
      workers: 1,
      settingsFingerprint: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown,
    });

    await second.stop();
    expect(await isAlive(pid)).toBe(false);
    expect(await second.status()).toMatchObject({ isRunning: false, pid: null });
    await expect(readFile(join(stateDir, 'edge.pid'), 'utf8')).rejects.toThrow(/ENOENT/);
    await second.stop(); // idempotent
  });

  it('keeps serving after the slipwayd that started it has exited', async () => {
    const stateDir = await newStateDir();
    const port = await freePort();
    const { stdout } = await promisify(execFile)(process.execPath, [launcherEntry, stateDir, String(port), edgeEntry]);
    const { pid } = JSON.parse(stdout) as { pid: number };
    startedRouters.set(pid, stateDir);

    const routerTable = createEdgeRouterTable({
      stateDir,
      listen: { host: '127.0.0.1', port },
      edgeEntry,
      logger: silentLogger,
    });
    await routerTable.apply(tableTo('orphan.test'));
    expect(await get(port, 'orphan.test')).toMatchObject({ statusCode: 200 });
    expect((await routerTable.status()).pid).toBe(pid);
    await routerTable.stop();
    expect(await isAlive(pid)).toBe(false);
  });

  it('restarts a crashed router over its stale socket, serving the persisted table', async () => {
    const stateDir = await newStateDir();
    const port = await freePort();
    const routerTable = createEdgeRouterTable({
      stateDir,
      listen: { host: '127.0.0.1', port },
      edgeEntry,
      logger: silentLogger,
    });
    await routerTable.ensureRunning();
    const crashed = (await routerTable.status()).pid ?? -1;
    startedRouters.set(crashed, stateDir);
    await routerTable.apply(tableTo('again.test'));
    process.kill(crashed, 'SIGKILL'); // leaves admin.sock and edge.pid behind
    expect(await waitForExit(crashed, 5_000)).toBe(true);

    await routerTable.ensureRunning();
    const restarted = (await routerTable.status()).pid ?? -1;
    startedRouters.set(restarted, stateDir);
    expect(restarted).not.toBe(crashed);
    expect(await get(port, 'again.test')).toMatchObject({ statusCode: 200 });
    await routerTable.stop();
  });

  it('restarts a router killed a moment ago once it has let go of its port', async () => {
    const stateDir = await newStateDir();
    const port = await freePort();
    const routerTable = createEdgeRouterTable({
      stateDir,
      listen: { host: '127.0.0.1', port },
      edgeEntry,
      logger: silentLogger,
    });
    await routerTable.ensureRunning();
    const crashed = (await routerTable.status()).pid ?? -1;
    startedRouters.set(crashed, stateDir);
    await routerTable.apply(tableTo('dying.test'));
    process.kill(crashed, 'SIGKILL'); // and slipwayd asks for a router before it is done dying

    await routerTable.ensureRunning();
    const restarted = (await routerTable.status()).pid ?? -1;
    startedRouters.set(restarted, stateDir);
    expect(restarted).not.toBe(crashed);
    expect(await isAlive(crashed)).toBe(false);
    expect(await get(port, 'dying.test')).toMatchObject({ statusCode: 200 });
    await routerTable.stop();
  });

  it('lets concurrent ensureRunning calls share one router', async () => {
    const stateDir = await newStateDir();
    const routerTable = createEdgeRouterTable({
      stateDir,
      listen: { host: '127.0.0.1', port: await freePort() },
      edgeEntry,
      logger: silentLogger,
    });
    await Promise.all([routerTable.ensureRunning(), routerTable.ensureRunning(), routerTable.ensureRunning()]);
    // Read at once: a router that answers has already recorded its pid.
    const recordedPid = Number.parseInt(await readFile(join(stateDir, 'edge.pid'), 'utf8'), 10);
    const { pid } = await routerTable.status();
    startedRouters.set(pid ?? -1, stateDir);
    expect(recordedPid).toBe(pid);
    await routerTable.stop();
  });

  it('fails with PORT_UNAVAILABLE when another process holds the listen port', async () => {
    const squatter = createNetServer();
    await new Promise<void>((resolve) => squatter.listen(0, '127.0.0.1', resolve));
    const port = (squatter.address() as { port: number }).port;
    try {
      const routerTable = createEdgeRouterTable({
        stateDir: await newStateDir(),
        listen: { host: '127.0.0.1', port },
        edgeEntry,
        logger: silentLogger,
      });
      await expect(routerTable.ensureRunning()).rejects.toMatchObject({
        code: 'PORT_UNAVAILABLE',
        message: expect.stringContaining(`127.0.0.1:${port}`) as unknown,
      });
    } finally {
      await new Promise<void>((resolve) => squatter.close(() => resolve()));
    }
  });

  it('fails apply with UNAVAILABLE when no router is running', async () => {
    const routerTable = createEdgeRouterTable({
      stateDir: await newStateDir(),
      listen: { host: '127.0.0.1', port: await freePort() },
      edgeEntry,
      logger: silentLogger,
    });
    await expect(routerTable.apply(tableTo('x.test'))).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('passes on the router refusing an invalid table as VALIDATION_FAILED', async () => {
    const stateDir = await newStateDir();
    const routerTable = createEdgeRouterTable({
      stateDir,
      listen: { host: '127.0.0.1', port: await freePort() },
      edgeEntry,
      logger: silentLogger,
    });
    await routerTable.ensureRunning();
    startedRouters.set((await routerTable.status()).pid ?? -1, stateDir);
    const invalid = { routes: [{ ...tableTo('y.test').routes[0], pathPrefix: 'no-slash' }] } as RoutingTable;
    await expect(routerTable.apply(invalid)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await routerTable.stop();
  });

  it('adopts a router with its settings, and hands one with other settings over to a router with its own', async () => {
    const stateDir = await newStateDir();
    const port = await freePort();
    const settingFile = join(stateDir, 'setting.pem');
    await writeFile(settingFile, 'first');
    const options = { stateDir, listen: { host: '127.0.0.1', port }, edgeEntry, logger: silentLogger };
    const first = createEdgeRouterTable({ ...options, settingFiles: [settingFile] });
    await first.ensureRunning();
    await first.apply(tableTo('settings.test'));
    const firstStatus = await first.status();
    startedRouters.set(firstStatus.pid ?? -1, stateDir);

    // The same settings: the router is adopted as it is.
    await createEdgeRouterTable({ ...options, settingFiles: [settingFile] }).ensureRunning();
    expect((await first.status()).pid).toBe(firstStatus.pid);

    // Another flag: handed over, and the successor runs with it and serves the persisted table.
    const twoWorkers = createEdgeRouterTable({ ...options, settingFiles: [settingFile], edgeArgs: ['--workers', '2'] });
    await twoWorkers.ensureRunning();
    const second = await twoWorkers.status();
    startedRouters.set(second.pid ?? -1, stateDir);
    expect(second.pid).not.toBe(firstStatus.pid);
    expect(second.settingsFingerprint).not.toBe(firstStatus.settingsFingerprint);
    expect(await waitForExit(firstStatus.pid ?? -1, 15_000)).toBe(true);
    expect(await get(port, 'settings.test')).toMatchObject({ statusCode: 200 });
    expect(second).toMatchObject({ routes: 1 });

    // A setting file changed in place: handed over again.
    await writeFile(settingFile, 'renewed');
    const renewed = createEdgeRouterTable({ ...options, settingFiles: [settingFile], edgeArgs: ['--workers', '2'] });
    await renewed.ensureRunning();
    const third = await renewed.status();
    startedRouters.set(third.pid ?? -1, stateDir);
    expect(third.pid).not.toBe(second.pid);
    expect(await waitForExit(second.pid ?? -1, 15_000)).toBe(true);
    await renewed.stop();
  });

  it('restarts the router under keep-alive load without failing a request', async () => {
    const stateDir = await newStateDir();
    const port = await freePort();
    const routerTable = createEdgeRouterTable({
      stateDir,
      listen: { host: '127.0.0.1', port },
      edgeEntry,
      logger: silentLogger,
    });
    await routerTable.ensureRunning();
    const oldPid = (await routerTable.status()).pid ?? -1;
    startedRouters.set(oldPid, stateDir);
    await routerTable.apply(tableTo('load.test'));

    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    const outcomes = { ok: 0, failed: 0, afterRestart: 0 };
    let isRestarted = false;
    let isLoading = true;
    const worker = async (): Promise<void> => {
      while (isLoading) {
        try {
          const statusCode = await getWith(agent, port, 'load.test');
          if (statusCode === 200) outcomes.ok += 1;
          else outcomes.failed += 1;
          if (isRestarted) outcomes.afterRestart += 1;
        } catch {
          outcomes.failed += 1;
        }
      }
    };
    const workers = Array.from({ length: 8 }, () => worker());
    await waitForCount(() => outcomes.ok, 200);

    await routerTable.restart();
    isRestarted = true;
    const successor = await routerTable.status();
    startedRouters.set(successor.pid ?? -1, stateDir);
    const servedBefore = outcomes.afterRestart;
    await waitForCount(() => outcomes.afterRestart, servedBefore + 200);
    isLoading = false;
    await Promise.all(workers);
    agent.destroy();

    expect(outcomes.failed).toBe(0);
    expect(successor).toMatchObject({ isRunning: true, address: `127.0.0.1:${port}`, routes: 1 });
    expect(successor.pid).not.toBe(oldPid);
    // The old router drains and exits by itself; the successor owns the pid file and the admin socket.
    expect(await waitForExit(oldPid, 15_000)).toBe(true);
    expect(Number.parseInt(await readFile(join(stateDir, 'edge.pid'), 'utf8'), 10)).toBe(successor.pid);
    expect(await routerTable.inFlight(['i-1'])).toEqual({ 'i-1': 0 });
    await routerTable.stop();
  });
});

function getWith(agent: Agent, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/hello', headers: { host }, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Waits until `count()` reaches `target` (bounded: 30 s). */
async function waitForCount(count: () => number, target: number): Promise<void> {
  for (let waited = 0; count() < target; waited += 10) {
    if (waited > 30_000) throw new Error(`count stuck at ${count()} (wanted ${target})`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
