/** The RuntimeDriver contract suite: every driver (process, Docker, Swarm … and the fake) runs it to prove it keeps the port's promises. */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InstanceSpec, InstanceStatus, RuntimeDriver } from '@slipway/core';
import { collect, urlOf } from './runtime-driver-contract-helpers.js';
import { describeRuntimeDriverDeadlines } from './runtime-driver-contract-deadlines.js';
import { describeRuntimeDriverOutput } from './runtime-driver-contract-output.js';
import { waitFor } from './wait-for.js';

/**
 * The commands the suite's fixture programs are started with, in the driver's own terms: shell command lines for the
 * process driver, commands for an image for Docker, the fake's program names for the fake.
 */
export interface RuntimeDriverPrograms {
  /** Serves HTTP 200 `ok` on `$PORT`, prints `listening` to stdout once it listens, and ends on SIGTERM. */
  httpServer: string;
  /** Exits at once with code 3. */
  exitThree: string;
  /** Prints `line 1` … `line <lines>` to stdout, then runs until stopped. */
  chatty: (lines: number) => string;
  /** Prints `NAME=value` to stdout for each name, in order, then runs until stopped. */
  printEnv: (names: readonly string[]) => string;
  /** An exec command that prints `text` and exits with `exitCode`. */
  execEcho: (text: string, exitCode: number) => string;
  /** An exec command that never finishes by itself. */
  execHang: string;
  /** Allocates memory without bound, holding on to it; needed when the driver enforces resource limits. */
  memoryHog?: string;
}

export type ContractRuntimeDriver = RuntimeDriver & { close?(): Promise<void> };

export interface RuntimeDriverContractOptions {
  /** A driver keeping its state in `stateDir`; called again with the same dir to play a restarted control plane. */
  create: (ctx: { stateDir: string }) => Promise<ContractRuntimeDriver>;
  programs: RuntimeDriverPrograms;
  /** The port range `create` configures; when given, allocated ports must fall in it. */
  portRange?: { from: number; to: number };
  /** Bound on each wait for the runtime to reach a state; default 15 s. */
  waitTimeoutMs?: number;
  /** Members every spec of the suite starts with (an image for drivers that run images). */
  specDefaults?: Partial<InstanceSpec>;
  /** What makes a start impossible for this driver; default: a work dir that does not exist. */
  unstartable?: (spec: InstanceSpec) => Partial<InstanceSpec>;
}

export function describeRuntimeDriver(name: string, options: RuntimeDriverContractOptions): void {
  const { programs } = options;
  const wait = { timeoutMs: options.waitTimeoutMs ?? 15_000, intervalMs: 25 };

  describe(`RuntimeDriver contract: ${name}`, () => {
    let stateDir = '';
    let workDir = '';
    let drivers: ContractRuntimeDriver[] = [];
    const runId = randomUUID().slice(0, 8);
    let sequence = 0;

    const createDriver = async (): Promise<ContractRuntimeDriver> => {
      const driver = await options.create({ stateDir });
      drivers.push(driver);
      return driver;
    };
    const specOf = (command: string, overrides: Partial<InstanceSpec> = {}): InstanceSpec => {
      sequence += 1;
      return {
        instanceId: `contract-${runId}-${sequence}`,
        labels: {},
        command,
        workDir,
        env: {},
        stopGraceMs: 5_000,
        ...options.specDefaults,
        ...overrides,
      };
    };
    const waitForExit = (driver: RuntimeDriver, instanceId: string): Promise<InstanceStatus> =>
      waitFor(async () => {
        const status = await driver.inspect(instanceId);
        expect(status?.state).toBe('exited');
        return status as InstanceStatus;
      }, wait);
    const waitForStdout = (driver: RuntimeDriver, instanceId: string, expected: string[]): Promise<void> =>
      waitFor(async () => {
        const lines = await collect(driver.logs(instanceId, { tailLines: 1_000, follow: false }));
        expect(lines.filter((entry) => entry.stream === 'stdout').map((entry) => entry.line)).toEqual(expected);
      }, wait);
    const waitForServing = (status: InstanceStatus): Promise<void> =>
      waitFor(async () => {
        // Each attempt is bounded: Node 20's fetch never settles when a proxy (docker-proxy, before the app listens)
        // closes the connection as soon as it accepts it.
        const response = await fetch(urlOf(status), { signal: AbortSignal.timeout(servingAttemptMs) });
        expect(response.status).toBe(200);
        expect(await response.text()).toBe('ok');
      }, wait);

    beforeEach(async () => {
      stateDir = await mkdtemp(join(tmpdir(), 'slipway-runtime-state-'));
      workDir = await mkdtemp(join(tmpdir(), 'slipway-runtime-work-'));
      drivers = [];
    });

    afterEach(async () => {
      // The newest driver first: it sees everything the earlier ones started on the same state dir.
      for (const driver of [...drivers].reverse()) {
        for (const status of await driver.list()) await driver.remove(status.instanceId);
        await driver.close?.();
      }
      await rm(stateDir, { recursive: true, force: true });
      // Where the process driver keeps removed instances' logs by default.
      await rm(`${stateDir}-retired`, { recursive: true, force: true });
      await rm(workDir, { recursive: true, force: true });
    });

    it('starts an instance that is running on a port of its range and serves there', async () => {
      const driver = await createDriver();
      const spec = specOf(programs.httpServer, { labels: { app: 'web' } });

      const status = await driver.start(spec);

      expect(status).toMatchObject({ instanceId: spec.instanceId, state: 'running', exitCode: null, exitedAtMs: null });
      expect(status.port).toBeGreaterThan(0);
      if (options.portRange !== undefined) {
        expect(status.port).toBeGreaterThanOrEqual(options.portRange.from);
        expect(status.port).toBeLessThanOrEqual(options.portRange.to);
      }
      await waitForServing(status);
      await waitForStdout(driver, spec.instanceId, ['listening']);
    });

    it('passes the spec env and the allocated PORT to the instance', async () => {
      const driver = await createDriver();
      const spec = specOf(programs.printEnv(['GREETING', 'PORT']), { env: { GREETING: 'hello world', PORT: '1' } });

      const status = await driver.start(spec);

      await waitForStdout(driver, spec.instanceId, ['GREETING=hello world', `PORT=${status.port}`]);
    });

    it('gives two running instances distinct ports', async () => {
      const driver = await createDriver();

      const first = await driver.start(specOf(programs.httpServer));
      const second = await driver.start(specOf(programs.httpServer));

      expect(second.port).not.toBe(first.port);
      await waitForServing(first);
      await waitForServing(second);
    });

    it('reports the exit code of an instance that exits by itself', async () => {
      const driver = await createDriver();
      const spec = specOf(programs.exitThree);

      await driver.start(spec);
      const exited = await waitForExit(driver, spec.instanceId);

      expect(exited).toMatchObject({ state: 'exited', exitCode: 3, exitSignal: null });
      expect(exited.exitedAtMs).toEqual(expect.any(Number));
    });

    it('stops an instance politely, and stopping it again resolves', async () => {
      const driver = await createDriver();
      const spec = specOf(programs.httpServer);
      const status = await driver.start(spec);
      await waitForServing(status);

      await driver.stop(spec.instanceId);

      const stopped = await driver.inspect(spec.instanceId);
      expect(stopped?.state).toBe('exited');
      expect(stopped?.exitSignal).not.toBe('SIGKILL');
      expect(stopped?.exitCode).not.toBe(137);
      await expect(fetch(urlOf(status))).rejects.toThrow();
      await expect(driver.stop(spec.instanceId)).resolves.toBeUndefined();
      expect((await driver.inspect(spec.instanceId))?.state).toBe('exited');
    });

    it('resolves a stop of an unknown instance', async () => {
      const driver = await createDriver();

      await expect(driver.stop(`contract-${runId}-unknown`)).resolves.toBeUndefined();
    });

    it('inspects an unknown instance as undefined', async () => {
      const driver = await createDriver();

      expect(await driver.inspect(`contract-${runId}-unknown`)).toBeUndefined();
    });

    it('lists the instances it started, running and exited, with their labels', async () => {
      const driver = await createDriver();
      const running = specOf(programs.chatty(1), { labels: { app: 'web', process: 'web' } });
      const exited = specOf(programs.exitThree, { labels: { app: 'web', process: 'worker' } });
      await driver.start(running);
      await driver.start(exited);
      await waitForExit(driver, exited.instanceId);

      const listed = (await driver.list()).filter((status) =>
        [running.instanceId, exited.instanceId].includes(status.instanceId),
      );

      expect(listed).toHaveLength(2);
      expect(listed.find((status) => status.instanceId === running.instanceId)).toMatchObject({
        state: 'running',
        labels: running.labels,
      });
      expect(listed.find((status) => status.instanceId === exited.instanceId)).toMatchObject({
        state: 'exited',
        labels: exited.labels,
      });
    });

    describeRuntimeDriverOutput({ programs, createDriver, specOf, waitForStdout, wait, runId });
    describeRuntimeDriverDeadlines({ programs, createDriver, specOf, waitForStdout, wait, runId });

    it('forgets removed instances (keeping their logs aside when it keeps any), stopping a running one first, and remove is idempotent', async () => {
      const driver = await createDriver();
      const running = specOf(programs.httpServer);
      const exited = specOf(programs.exitThree);
      const runningStatus = await driver.start(running);
      await driver.start(exited);
      await waitForServing(runningStatus);
      await waitForExit(driver, exited.instanceId);

      await driver.remove(running.instanceId);
      await driver.remove(exited.instanceId);

      expect(await driver.inspect(running.instanceId)).toBeUndefined();
      expect(await driver.inspect(exited.instanceId)).toBeUndefined();
      const ids = (await driver.list()).map((status) => status.instanceId);
      expect(ids).not.toContain(running.instanceId);
      expect(ids).not.toContain(exited.instanceId);
      await expect(fetch(urlOf(runningStatus))).rejects.toThrow();
      if (driver.retiredInstances === undefined) {
        await expect(collect(driver.logs(running.instanceId, { tailLines: 10, follow: false }))).rejects.toMatchObject({
          code: 'INSTANCE_NOT_FOUND',
        });
      } else {
        // A driver that keeps the logs of removed instances lists them and still gives their last lines.
        const retired = (await driver.retiredInstances()).map((instance) => instance.instanceId);
        expect(retired).toEqual(expect.arrayContaining([running.instanceId, exited.instanceId]));
        const lines = await collect(driver.logs(running.instanceId, { tailLines: 10, follow: false }));
        expect(lines.map((line) => line.line)).toContain('listening');
      }
      await expect(driver.remove(running.instanceId)).resolves.toBeUndefined();
    });

    it('rejects a start it cannot make (a missing work dir, or image) with START_FAILED', async () => {
      const driver = await createDriver();
      const base = specOf(programs.httpServer);
      const spec = { ...base, ...(options.unstartable?.(base) ?? { workDir: join(workDir, 'missing') }) };

      await expect(driver.start(spec)).rejects.toMatchObject({ code: 'START_FAILED' });
      expect(await driver.inspect(spec.instanceId)).toBeUndefined();
    });

    it('rejects a start of an instance id that is already running with START_FAILED', async () => {
      const driver = await createDriver();
      const spec = specOf(programs.chatty(1));
      const first = await driver.start(spec);

      await expect(driver.start(spec)).rejects.toMatchObject({ code: 'START_FAILED' });
      expect(await driver.inspect(spec.instanceId)).toMatchObject({ state: 'running', pid: first.pid });
    });

    it('enforces a memory limit and reports it, or reports no limits when it enforces none', async () => {
      const driver = await createDriver();
      const limits = { memoryBytes: 64 * 1024 * 1024, cpus: 0.5, pids: 64 };
      if (!driver.capabilities.enforcesResourceLimits) {
        const spec = specOf(programs.chatty(1), { limits });
        expect((await driver.start(spec)).limits).toBeUndefined();
        return;
      }
      if (programs.memoryHog === undefined)
        throw new Error('a driver that enforces limits must give programs.memoryHog');
      const spec = specOf(programs.memoryHog, { limits });

      const started = await driver.start(spec);
      const exited = await waitForExit(driver, spec.instanceId);

      expect(started.limits).toEqual(limits);
      expect(exited).toMatchObject({ state: 'exited', oomKilled: true, limits });
    });

    it('measures a running instance, and has no stats for one that is not running', async () => {
      const driver = await createDriver();
      const memoryBytes = 128 * 1024 * 1024;
      const spec = specOf(programs.httpServer, { limits: { memoryBytes } });
      await waitForServing(await driver.start(spec));

      const stats = await waitFor(async () => {
        const sample = await driver.stats(spec.instanceId);
        expect(sample?.memoryBytes).toBeGreaterThan(0);
        return sample;
      }, wait);

      expect(stats?.cpus).toBeGreaterThanOrEqual(0);
      expect(stats?.pids).toBeGreaterThanOrEqual(1);
      expect(stats?.memoryLimitBytes).toBe(driver.capabilities.enforcesResourceLimits ? memoryBytes : undefined);
      await driver.stop(spec.instanceId);
      expect(await driver.stats(spec.instanceId)).toBeUndefined();
      expect(await driver.stats(`contract-${runId}-unknown`)).toBeUndefined();
    });

    it('lets a second driver on the same state dir re-adopt a running instance without restarting it', async (context) => {
      const first = await createDriver();
      if (!first.capabilities.survivesControlPlaneRestart) {
        context.skip('the driver declares that its instances do not survive a control plane restart');
      }
      const spec = specOf(programs.httpServer, { labels: { app: 'web', release: '7' } });
      const started = await first.start(spec);
      await waitForServing(started);
      await first.close?.();

      const second = await createDriver();
      const adopted = (await second.list()).find((status) => status.instanceId === spec.instanceId);

      expect(adopted).toMatchObject({
        state: 'running',
        labels: spec.labels,
        pid: started.pid,
        port: started.port,
        startedAtMs: started.startedAtMs,
      });
      await waitForServing(started);
      await second.stop(spec.instanceId);
      expect((await second.inspect(spec.instanceId))?.state).toBe('exited');
    });
  });
}

/** Bound on one attempt to reach a serving instance. */
const servingAttemptMs = 2_000;

export { collect };
