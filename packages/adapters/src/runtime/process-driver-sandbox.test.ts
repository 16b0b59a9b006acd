import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InstanceSpec, Logger } from '@slipway/core';
import { collect, describeRuntimeDriver, waitFor, skipUnless } from '@slipway/testkit';
import { createProcessSandbox } from '../sandbox/process-sandbox.js';
import { sandboxSkipReason } from '../sandbox/sandbox-test-support.js';
import { createSandboxUsers } from '../sandbox/sandbox-users.js';
import { createProcessDriver, type ProcessDriver } from './process-driver.js';
import { findProcessGroupMembers, readProcStat } from './read-proc-stat.js';

const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};

const skipReason = sandboxSkipReason();

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

const sandboxedDriver = (stateDir: string, portRange: { from: number; to: number }, hiddenPaths: string[] = []) =>
  createProcessDriver({
    stateDir,
    portRange,
    logger: silentLogger,
    sandbox: createProcessSandbox({
      users: createSandboxUsers({ file: join(stateDir, 'sandbox-users.json') }),
      hiddenPaths,
    }),
  });

const contractRange = { from: 23_100, to: 23_199 };

if (skipReason === undefined) {
  describeRuntimeDriver('process, sandboxed', {
    create: async ({ stateDir }) => sandboxedDriver(stateDir, contractRange),
    programs,
    portRange: contractRange,
  });
}

/** Tries every way out of its sandbox it knows and prints one JSON line of what each attempt did. */
const escapeProbe = `
const fs = require('fs');
const attempt = (fn) => { try { const r = fn(); return 'ESCAPED' + (r === undefined ? '' : ': ' + String(r).slice(0, 40)); } catch (e) { return e.code || e.message; } };
const { DATA_DIR, OTHER_RELEASE, OTHER_PID, OWN_RELEASE } = process.env;
const environs = [];
for (const entry of fs.readdirSync('/proc')) {
  if (!/^[0-9]+$/.test(entry)) continue;
  try { if (fs.readFileSync('/proc/' + entry + '/environ', 'utf8').includes('beta-secret')) environs.push(entry); } catch {}
}
const visiblePids = fs.readdirSync('/proc').filter((entry) => /^[0-9]+$/.test(entry)).length;
console.log(JSON.stringify({
  uid: process.getuid(),
  readMasterKey: attempt(() => fs.readFileSync(DATA_DIR + '/master.key', 'utf8')),
  readAdminToken: attempt(() => fs.readFileSync(DATA_DIR + '/admin-token', 'utf8')),
  readDatabase: attempt(() => fs.readFileSync(DATA_DIR + '/slipway.db', 'utf8')),
  listDataDir: attempt(() => fs.readdirSync(DATA_DIR).join(',')),
  listReleases: attempt(() => fs.readdirSync(DATA_DIR + '/releases').join(',')),
  readOtherRelease: attempt(() => fs.readFileSync(OTHER_RELEASE + '/secret.txt', 'utf8')),
  readOtherEnviron: attempt(() => fs.readFileSync('/proc/' + OTHER_PID + '/environ', 'utf8')),
  environsWithOtherSecret: environs.length,
  killOther: attempt(() => process.kill(Number(OTHER_PID), 'SIGKILL')),
  killEveryGroup: attempt(() => process.kill(-1, 'SIGKILL') && undefined),
  writeOwnRelease: attempt(() => fs.writeFileSync(OWN_RELEASE + '/planted', 'x')),
  writeDataDir: attempt(() => fs.writeFileSync(DATA_DIR + '/planted', 'x')),
  writeEtc: attempt(() => fs.writeFileSync('/etc/planted', 'x')),
  writeUsr: attempt(() => fs.writeFileSync('/usr/planted', 'x')),
  writeRoot: attempt(() => fs.writeFileSync('/planted', 'x')),
  writeScratch: attempt(() => fs.writeFileSync('/tmp/planted', 'x')) === 'ESCAPED' ? 'written' : 'refused',
  visiblePids,
}));
setInterval(() => {}, 1e9);
`;

const sandbox = { isAvailable: skipReason === undefined, reason: skipReason ?? '' };

describe('process driver, sandboxed', skipUnless(sandbox), () => {
  let dataDir = '';
  let drivers: ProcessDriver[] = [];
  const range = { from: 23_200, to: 23_299 };

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'slipway-sandbox-data-'));
    for (const [name, content] of Object.entries({
      'master.key': 'MASTER-KEY',
      'admin-token': 'ADMIN-TOKEN',
      'slipway.db': 'DATABASE',
    })) {
      await writeFile(join(dataDir, name), content, { mode: 0o600 });
    }
    drivers = [];
  });

  afterEach(async () => {
    for (const driver of drivers) {
      for (const status of await driver.list()) await driver.remove(status.instanceId);
      await driver.close();
    }
    await rm(dataDir, { recursive: true, force: true });
  });

  const release = async (name: string, files: Record<string, string>): Promise<string> => {
    const dir = join(dataDir, 'releases', name);
    await mkdir(dir, { recursive: true });
    for (const [file, content] of Object.entries(files)) await writeFile(join(dir, file), content, { mode: 0o600 });
    return dir;
  };
  const spec = (instanceId: string, overrides: Partial<InstanceSpec>): InstanceSpec => ({
    instanceId,
    labels: {},
    command: programs.httpServer,
    workDir: dataDir,
    env: {},
    stopGraceMs: 5_000,
    ...overrides,
  });
  const stdoutOf = async (driver: ProcessDriver, instanceId: string): Promise<string[]> =>
    (await collect(driver.logs(instanceId, { tailLines: 100, follow: false })))
      .filter((entry) => entry.stream === 'stdout')
      .map((entry) => entry.line);

  it("keeps one project's instance from the data dir, another project's release, environment and processes, and from writing outside its scratch dir", async () => {
    const driver = sandboxedDriver(join(dataDir, 'instances'), range, [dataDir]);
    drivers.push(driver);
    const betaRelease = await release('beta', { 'secret.txt': 'beta-release-secret' });
    const alphaRelease = await release('alpha', { 'probe.js': escapeProbe });
    const beta = await driver.start(
      spec('beta-web', { workDir: betaRelease, networkScope: 'project-beta', env: { TOKEN: 'beta-secret' } }),
    );
    const alpha = await driver.start(
      spec('alpha-web', {
        workDir: alphaRelease,
        networkScope: 'project-alpha',
        command: 'exec node probe.js',
        env: {
          DATA_DIR: dataDir,
          OTHER_RELEASE: betaRelease,
          OTHER_PID: String(beta.pid),
          OWN_RELEASE: alphaRelease,
        },
      }),
    );

    const [line] = await waitFor(async () => {
      const lines = await stdoutOf(driver, alpha.instanceId);
      expect(lines).toHaveLength(1);
      return lines;
    });
    const report = JSON.parse(line ?? '{}') as Record<string, unknown>;

    expect(report).toEqual({
      uid: report.uid,
      readMasterKey: 'ENOENT',
      readAdminToken: 'ENOENT',
      readDatabase: 'ENOENT',
      // Only the empty skeleton of the path to its own release is there.
      listDataDir: 'ESCAPED: releases',
      listReleases: 'ESCAPED: alpha',
      readOtherRelease: 'ENOENT',
      // Other pids do not exist in its pid namespace, and no visible process holds the other app's secret.
      readOtherEnviron: 'ENOENT',
      environsWithOtherSecret: 0,
      killOther: 'ESRCH',
      killEveryGroup: 'ESRCH',
      writeOwnRelease: 'EROFS',
      writeDataDir: 'EACCES',
      writeEtc: 'EROFS',
      writeUsr: 'EROFS',
      writeRoot: 'EACCES',
      writeScratch: 'written',
      // bwrap's own init and the app: nothing else is visible.
      visiblePids: 2,
    });
    expect(report.uid).not.toBe(0);
    // The other project's instance is still running, as the same process, under another user.
    expect((await driver.inspect(beta.instanceId))?.state).toBe('running');
    expect(readProcStat(beta.pid ?? 0)).toBeDefined();
    await expect(stat(join(alphaRelease, 'planted'))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(stat(join(dataDir, 'planted'))).rejects.toMatchObject({ code: 'ENOENT' });
    const alphaUid = (await stat(alphaRelease)).uid;
    const betaUid = (await stat(betaRelease)).uid;
    expect(alphaUid).toBe(report.uid);
    expect(betaUid).not.toBe(alphaUid);
    expect(betaUid).not.toBe(0);
  });

  it('reports the exit code the app chose when it shuts down on the stop signal, not the wrapper being killed', async () => {
    const driver = sandboxedDriver(join(dataDir, 'instances'), range, [dataDir]);
    drivers.push(driver);
    const workDir = await release('graceful', {});
    const status = await driver.start(
      spec('graceful-web', {
        workDir,
        command: node(
          "process.on('SIGTERM', () => setTimeout(() => process.exit(7), 200)); console.log('ready'); setInterval(() => {}, 1e9);",
        ),
      }),
    );
    await waitFor(async () => expect(await stdoutOf(driver, status.instanceId)).toEqual(['ready']));

    await driver.stop(status.instanceId);

    expect(await driver.inspect(status.instanceId)).toMatchObject({ state: 'exited', exitCode: 7, exitSignal: null });
  });

  it('stops an instance right after its start with SIGTERM, even before the sandbox has started the app', async () => {
    const driver = sandboxedDriver(join(dataDir, 'instances'), range, [dataDir]);
    drivers.push(driver);
    const workDir = await release('early', {});
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const instanceId = `early-${attempt}`;
      await driver.start(spec(instanceId, { workDir, command: node(runForever), stopGraceMs: 60_000 }));

      const outcome = await Promise.race([
        driver.stop(instanceId).then(() => 'stopped'),
        new Promise((resolve) => setTimeout(resolve, 10_000, 'still waiting for the grace period')),
      ]);

      expect(outcome).toBe('stopped');
      expect(await driver.inspect(instanceId)).toMatchObject({ state: 'exited', exitSignal: null, exitCode: 143 });
    }
  });

  it('takes the whole sandboxed instance down when its recorded pid is killed, leaving no app holding the port', async () => {
    const stateDir = join(dataDir, 'instances');
    const workDir = await release('killed', {});
    for (const [name, isAdopted] of [
      ['killed-own', false],
      ['killed-adopted', true],
    ] as const) {
      const first = sandboxedDriver(stateDir, range, [dataDir]);
      drivers.push(first);
      const status = await first.start(spec(name, { workDir }));
      await waitFor(async () => expect((await fetch(`http://127.0.0.1:${status.port}/`)).status).toBe(200));
      // Adopted: the driver that watches it is not the one that spawned it.
      const driver = isAdopted ? sandboxedDriver(stateDir, range, [dataDir]) : first;
      if (isAdopted) {
        await first.close();
        drivers.push(driver);
      }

      process.kill(status.pid ?? 0, 'SIGKILL');

      await waitFor(async () => expect((await driver.inspect(name))?.state).toBe('exited'));
      await waitFor(() => expect(findProcessGroupMembers(status.pid ?? 0, 0)).toEqual([]));
      await expect(fetch(`http://127.0.0.1:${status.port}/`)).rejects.toThrow();
    }
  });

  it('keeps a project on the same user across restarts of the control plane', async () => {
    const stateDir = join(dataDir, 'instances');
    await mkdir(stateDir, { recursive: true });
    const workDir = await release('stable', {});
    const first = sandboxedDriver(stateDir, range, [dataDir]);
    drivers.push(first);
    await first.start(
      spec('stable-1', {
        workDir,
        networkScope: 'project-stable',
        command: node('console.log(process.getuid()); ' + runForever),
      }),
    );
    await first.close();
    const second = sandboxedDriver(stateDir, range, [dataDir]);
    drivers.push(second);
    await second.start(
      spec('stable-2', {
        workDir,
        networkScope: 'project-stable',
        command: node('console.log(process.getuid()); ' + runForever),
      }),
    );

    const uids = await waitFor(async () => {
      const seen = [...(await stdoutOf(second, 'stable-1')), ...(await stdoutOf(second, 'stable-2'))];
      expect(seen).toHaveLength(2);
      return seen;
    });
    expect(uids[0]).toBe(uids[1]);
    expect(uids[0]).not.toBe('0');
  });
});
