import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InstanceSpec, Logger } from '@slipway/core';
import { collect, describeRuntimeDriver, waitFor } from '@slipway/testkit';
import { createInstanceStateFiles } from './instance-state-files.js';
import { createProcessDriver, type ProcessDriver, type ProcessDriverOptions } from './process-driver.js';
import { isLiveState, readProcStat } from './read-proc-stat.js';

const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};

const quote = (text: string): string => `'${text.replaceAll("'", `'\\''`)}'`;
const node = (script: string, ...args: string[]): string =>
  [quote(process.execPath), '-e', quote(script), ...args.map(quote)].join(' ');
const runForever = 'setInterval(() => {}, 1e9);';

const programs = {
  httpServer: node(
    "require('http').createServer((q, s) => s.end('ok')).listen(Number(process.env.PORT), () => console.log('listening'));",
  ),
  exitThree: node('process.exit(3);'),
  chatty: (lines: number) => node(`for (let i = 1; i <= ${lines}; i++) console.log('line ' + i); ${runForever}`),
  printEnv: (names: readonly string[]) =>
    node(
      `for (const name of process.argv.slice(1)) console.log(name + '=' + process.env[name]); ${runForever}`,
      ...names,
    ),
  execEcho: (text: string, exitCode: number) => `echo ${quote(text)}; exit ${exitCode}`,
  execHang: 'sleep 600',
};

const contractRange = { from: 22_100, to: 22_199 };

describeRuntimeDriver('process', {
  create: async ({ stateDir }) => createProcessDriver({ stateDir, portRange: contractRange, logger: silentLogger }),
  programs,
  portRange: contractRange,
});

const isAlive = (pid: number): boolean => {
  const procStat = readProcStat(pid);
  return procStat !== undefined && isLiveState(procStat.state);
};

describe('process driver', () => {
  let stateDir = '';
  let workDir = '';
  let drivers: ProcessDriver[] = [];
  const strayGroups: number[] = [];
  let sequence = 0;

  const createDriver = (overrides: Partial<ProcessDriverOptions> = {}): ProcessDriver => {
    const driver = createProcessDriver({
      stateDir,
      portRange: { from: 22_200, to: 22_299 },
      logger: silentLogger,
      ...overrides,
    });
    drivers.push(driver);
    return driver;
  };
  const specOf = (command: string, overrides: Partial<InstanceSpec> = {}): InstanceSpec => {
    sequence += 1;
    return {
      instanceId: `process-${sequence}`,
      labels: {},
      command,
      workDir,
      env: {},
      stopGraceMs: 5_000,
      ...overrides,
    };
  };
  const stdoutOf = async (driver: ProcessDriver, instanceId: string): Promise<string[]> =>
    (await collect(driver.logs(instanceId, { tailLines: 1_000, follow: false }))).map((entry) => entry.line);

  beforeEach(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'slipway-process-state-'));
    workDir = await mkdtemp(join(tmpdir(), 'slipway-process-work-'));
    drivers = [];
  });

  afterEach(async () => {
    for (const pid of strayGroups.splice(0)) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    for (const driver of drivers.reverse()) {
      for (const status of await driver.list()) await driver.remove(status.instanceId);
      await driver.close();
    }
    await rm(stateDir, { recursive: true, force: true });
    await rm(workDir, { recursive: true, force: true });
  });

  it('kills the whole process group on stop, grandchildren included', async () => {
    const driver = createDriver();
    const spec = specOf(`sh -c 'sleep 300 & echo $! > grandchild.pid; wait'`);
    const status = await driver.start(spec);
    const grandchildPid = await waitFor(async () => {
      const pid = Number((await readFile(join(workDir, 'grandchild.pid'), 'utf8')).trim());
      expect(pid).toBeGreaterThan(0);
      return pid;
    });
    expect(isAlive(grandchildPid)).toBe(true);

    await driver.stop(spec.instanceId);

    expect(isAlive(status.pid ?? 0)).toBe(false);
    expect(isAlive(grandchildPid)).toBe(false);
  });

  it('kills a process that ignores SIGTERM once the grace period has passed', async () => {
    const driver = createDriver();
    const spec = specOf(
      node(`process.on('SIGTERM', () => console.log('ignored')); console.log('ready'); ${runForever}`),
    );
    await driver.start(spec);
    await waitFor(async () => expect(await stdoutOf(driver, spec.instanceId)).toEqual(['ready']));

    await driver.stop(spec.instanceId, { graceMs: 300 });

    expect(await driver.inspect(spec.instanceId)).toMatchObject({ state: 'exited', exitSignal: 'SIGKILL' });
    expect(await stdoutOf(driver, spec.instanceId)).toEqual(['ready', 'ignored']);
  });

  it('rotates a log file over the limit while the instance keeps writing to it', async () => {
    const driver = createDriver({ logMaxBytes: 4_096, logFiles: 2 });
    const spec = specOf(node(`let i = 0; setInterval(() => console.log('tick ' + ++i + ' ' + 'x'.repeat(100)), 2);`));
    await driver.start(spec);
    const logPath = join(stateDir, spec.instanceId, 'stdout.log');

    for (let rotation = 0; rotation < 3; rotation += 1) {
      await waitFor(async () => expect((await stat(logPath)).size).toBeGreaterThan(4_096));
      await driver.list();
    }

    const files = (await readdir(join(stateDir, spec.instanceId))).filter((name) => name.startsWith('stdout'));
    expect(files.sort()).toEqual(['stdout.log', 'stdout.log.1', 'stdout.log.2']);
    expect((await stat(`${logPath}.1`)).size).toBeGreaterThan(4_096);
    // O_APPEND: after the truncation the writer continues at the new end, leaving no hole of NUL bytes.
    const lines = await waitFor(async () => {
      const text = await readFile(logPath, 'utf8');
      expect(text).toMatch(/^tick \d+ x{100}\n/);
      return text;
    });
    expect(lines).not.toContain('\0');
    // The tail reaches back through the rotated files: every line still kept, oldest first.
    const kept = await Promise.all([`${logPath}.2`, `${logPath}.1`, logPath].map((path) => readFile(path, 'utf8')));
    const keptLines = kept
      .join('')
      .split('\n')
      .filter((line) => line !== '');
    const tail = await collect(driver.logs(spec.instanceId, { tailLines: 10_000, follow: false }));
    expect(tail.length).toBeGreaterThanOrEqual(keptLines.length);
    expect(tail.length).toBeGreaterThan(kept[2]?.split('\n').length ?? 0);
    const numbers = tail.map((entry) => Number(/^tick (\d+) x{100}$/.exec(entry.line)?.[1]));
    expect(numbers.every((value, index) => index === 0 || value > (numbers[index - 1] ?? 0))).toBe(true);
  });

  it('refuses to adopt an instance whose pid now belongs to another process, and does not signal that process', async () => {
    const first = createDriver();
    const spec = specOf(programs.chatty(1));
    const started = await first.start(spec);
    const pid = started.pid ?? 0;
    strayGroups.push(pid);
    const statePath = join(stateDir, spec.instanceId, 'instance.json');
    const record = JSON.parse(await readFile(statePath, 'utf8')) as { startTicks: number };
    // A different start time is what a reused pid looks like.
    await writeFile(statePath, JSON.stringify({ ...record, startTicks: record.startTicks + 1 }));
    await first.close();

    const second = createDriver();
    const seen = await second.inspect(spec.instanceId);
    await second.stop(spec.instanceId, { graceMs: 100 });

    expect(seen).toMatchObject({ state: 'exited', exitCode: null, exitSignal: null });
    expect(isAlive(pid)).toBe(true);
  });

  it('observes the exit of an adopted instance that is not its child, with an unknown exit code', async () => {
    const driver = createDriver();
    // The shell exits at once, so the sleep is re-parented away from us: a process from an earlier control plane.
    const pid = Number(
      execFileSync('/bin/sh', ['-c', 'sleep 300 >/dev/null 2>&1 & echo $!'], { encoding: 'utf8' }).trim(),
    );
    strayGroups.push(pid);
    const files = createInstanceStateFiles(stateDir);
    await mkdir(join(stateDir, 'adopted-1'));
    await writeFile(join(stateDir, 'adopted-1', 'stdout.log'), 'from before\n');
    await files.write({
      version: 1,
      instanceId: 'adopted-1',
      labels: { app: 'web' },
      command: 'sleep 300',
      workDir,
      envKeys: [],
      host: '127.0.0.1',
      port: 22_250,
      pid,
      startTicks: readProcStat(pid)?.startTicks ?? -1,
      startedAtMs: Date.now(),
      stopGraceMs: 1_000,
      state: 'running',
      exitCode: null,
      exitSignal: null,
      exitedAtMs: null,
    });

    expect(await driver.list()).toMatchObject([{ instanceId: 'adopted-1', state: 'running', pid }]);
    expect(await stdoutOf(driver, 'adopted-1')).toEqual(['from before']);
    process.kill(pid, 'SIGKILL');

    const exited = await waitFor(async () => {
      const status = await driver.inspect('adopted-1');
      expect(status?.state).toBe('exited');
      return status;
    });
    expect(exited).toMatchObject({ exitCode: null, exitSignal: null });
    expect(exited?.exitedAtMs).toEqual(expect.any(Number));
  });

  it('never writes env values to disk', async () => {
    const driver = createDriver();
    const secret = 's3cr3t-token-value';
    const spec = specOf(programs.chatty(1), { env: { API_TOKEN: secret } });
    await driver.start(spec);
    await driver.stop(spec.instanceId);

    const dir = join(stateDir, spec.instanceId);
    const contents = await Promise.all((await readdir(dir)).map((name) => readFile(join(dir, name), 'utf8')));
    expect(contents.join('\n')).not.toContain(secret);
    expect(JSON.parse(await readFile(join(dir, 'instance.json'), 'utf8'))).toMatchObject({ envKeys: ['API_TOKEN'] });
  });

  it('runs exec in the work dir with the instance env, and with only PORT for an adopted instance', async () => {
    const first = createDriver();
    const spec = specOf(programs.chatty(1), { env: { GREETING: 'hi' } });
    const status = await first.start(spec);
    const command = 'pwd; echo "[$GREETING] [$PORT]"';

    const own = await first.exec(spec.instanceId, command, { timeoutMs: 5_000 });
    await first.close();
    const adopted = await createDriver().exec(spec.instanceId, command, { timeoutMs: 5_000 });

    expect(own).toEqual({ exitCode: 0, output: `${workDir}\n[hi] [${status.port}]\n` });
    expect(adopted).toEqual({ exitCode: 0, output: `${workDir}\n[] [${status.port}]\n` });
  });

  it('skips the port of an instance it knows and fails with PORT_UNAVAILABLE when the range is used up', async () => {
    const driver = createDriver({ portRange: { from: 22_290, to: 22_291 } });
    const blocker = await listenOn(22_291);
    try {
      const first = await driver.start(specOf(programs.chatty(1)));

      expect(first.port).toBe(22_290);
      await expect(driver.start(specOf(programs.chatty(1)))).rejects.toMatchObject({ code: 'PORT_UNAVAILABLE' });
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('reports a command that cannot run as an exit with code 127', async () => {
    const driver = createDriver();
    const spec = specOf('no-such-command-anywhere');

    await driver.start(spec);

    const exited = await waitFor(async () => {
      const status = await driver.inspect(spec.instanceId);
      expect(status?.state).toBe('exited');
      return status;
    });
    expect(exited?.exitCode).toBe(127);
    expect((await collect(driver.logs(spec.instanceId, { tailLines: 5, follow: false })))[0]?.stream).toBe('stderr');
  });

  it('follows lines across a rotation without losing the ones written before it', async () => {
    const driver = createDriver({ logMaxBytes: 64 });
    const spec = specOf(programs.chatty(3));
    await driver.start(spec);
    await waitFor(async () => expect(await stdoutOf(driver, spec.instanceId)).toHaveLength(3));
    const controller = new AbortController();
    const lines = driver.logs(spec.instanceId, { tailLines: 1, follow: true, signal: controller.signal });
    const iterator = lines[Symbol.asyncIterator]();
    const logPath = join(stateDir, spec.instanceId, 'stdout.log');

    const before = `appended before rotation ${'x'.repeat(64)}`;

    expect((await iterator.next()).value).toMatchObject({ stream: 'stdout', line: 'line 3' });
    await writeFile(logPath, `${before}\n`, { flag: 'a' });
    await driver.list();
    await writeFile(logPath, 'appended after rotation\n', { flag: 'a' });

    expect(await readFile(`${logPath}.1`, 'utf8')).toContain(before);
    expect((await iterator.next()).value).toMatchObject({ stream: 'stdout', line: before });
    expect((await iterator.next()).value).toMatchObject({ stream: 'stdout', line: 'appended after rotation' });
    controller.abort();
    expect(await iterator.next()).toMatchObject({ done: true });
  });
});

function listenOn(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port, host: '127.0.0.1' }, () => resolve(server));
  });
}
