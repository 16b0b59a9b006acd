import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { InstanceSpec, RuntimeDriver } from '@slipway/core';
import {
  collect,
  containerRuntimePrograms,
  describeRuntimeDriver,
  dockerTestEngine,
  dockerTestImages,
  listDockerObjectsLabelled,
  nodeCommand,
  parsePrivileges,
  printPrivilegesCommand,
  removeDockerObjectsLabelled,
  silentLogger,
  waitFor,
  skipUnless,
} from '@slipway/testkit';
import { createDockerEngine, namespaceLabel } from '../../docker/docker-engine.js';
import { keptCapabilities } from '../container-capabilities.js';
import { createDockerDriver, type DockerDriverOptions } from './docker-driver.js';

const programs = containerRuntimePrograms;

/** The command line of every process in the container, one a line (the image has no `ps`). */
const listProcesses = nodeCommand(
  "const fs = require('fs'); for (const pid of fs.readdirSync('/proc').filter((name) => /^[0-9]+$/.test(name))) " +
    "{ try { console.log(fs.readFileSync('/proc/' + pid + '/cmdline', 'utf8').split('\\0').join(' ')); } catch {} }",
);

const runId = randomUUID().slice(0, 8);
const namespace = `test-${runId}`;
const otherNamespace = `test-${runId}-other`;
const labelOf = (ns: string): string => `${namespaceLabel}=${ns}`;
const contractRange = { from: 22_900, to: 22_949 };
const extraRange = { from: 22_950, to: 22_989 };
/** Ports the clash tests hold or contend for, outside the other ranges. */
const clashPort = 22_990;
const isDockerAvailable = dockerTestEngine().isAvailable;

describe('docker driver', skipUnless(dockerTestEngine()), () => {
  const engine = isDockerAvailable ? createDockerEngine() : undefined;
  const driverOf = (overrides: Partial<DockerDriverOptions> = {}): RuntimeDriver =>
    createDockerDriver({
      engine: engine as NonNullable<typeof engine>,
      namespace,
      portRange: extraRange,
      logger: silentLogger,
      ...overrides,
    });

  beforeAll(() => {
    removeDockerObjectsLabelled(labelOf(namespace));
    removeDockerObjectsLabelled(labelOf(otherNamespace));
  });

  afterAll(() => {
    removeDockerObjectsLabelled(labelOf(namespace));
    removeDockerObjectsLabelled(labelOf(otherNamespace));
    expect(listDockerObjectsLabelled(labelOf(namespace))).toMatchObject({ containers: [], networks: [] });
  });

  describeRuntimeDriver('docker', {
    create: async () => driverOf({ portRange: contractRange }),
    programs,
    portRange: contractRange,
    waitTimeoutMs: 30_000,
    specDefaults: { image: dockerTestImages.node, stopGraceMs: 2_000 },
    unstartable: () => ({ image: 'local/does-not-exist:never' }),
  });

  describe('on a real engine', () => {
    const drivers: RuntimeDriver[] = [];
    const servers: Server[] = [];
    let sequence = 0;

    const track = (driver: RuntimeDriver): RuntimeDriver => {
      drivers.push(driver);
      return driver;
    };
    const specOf = (command: string, overrides: Partial<InstanceSpec> = {}): InstanceSpec => {
      sequence += 1;
      return {
        instanceId: `docker-${runId}-${sequence}`,
        labels: {},
        command,
        workDir: '/nonexistent',
        env: {},
        stopGraceMs: 1_000,
        image: dockerTestImages.node,
        ...overrides,
      };
    };
    const serving = (port: number): Promise<void> =>
      waitFor(
        async () => {
          // Bounded: Node 20's fetch never settles when docker-proxy closes a connection the app was not ready for.
          const response = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2_000) });
          expect(await response.text()).toBe('ok');
        },
        { timeoutMs: 30_000 },
      );
    const fetchFrom = (url: string): string =>
      nodeCommand(
        `fetch(${JSON.stringify(url)}).then(async (r) => console.log(await r.text()), (e) => { console.log(String(e.cause ?? e)); process.exit(7); })`,
      );

    afterEach(async () => {
      for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
      for (const driver of drivers.splice(0).reverse()) {
        for (const status of await driver.list()) await driver.remove(status.instanceId);
      }
      expect(listDockerObjectsLabelled(labelOf(namespace))).toMatchObject({ containers: [], networks: [] });
      expect(listDockerObjectsLabelled(labelOf(otherNamespace))).toMatchObject({ containers: [], networks: [] });
    });

    it('connects instances of one network scope to each other by name and alias, and keeps other scopes apart', async () => {
      const driver = track(driverOf());
      const server = await driver.start(
        specOf(programs.httpServer, { networkScope: 'shop', networkAliases: ['cart'] }),
      );
      const peer = specOf(programs.chatty(1), { networkScope: 'shop' });
      const stranger = specOf(programs.chatty(1), { networkScope: 'blog' });
      await driver.start(peer);
      await driver.start(stranger);
      await serving(server.port ?? 0);
      const url = `http://slipway-${namespace}-${server.instanceId}:${server.port}/`;

      const fromPeer = await driver.exec(peer.instanceId, fetchFrom(url), { timeoutMs: 20_000 });
      const byAlias = await driver.exec(peer.instanceId, fetchFrom(`http://cart:${server.port}/`), {
        timeoutMs: 20_000,
      });
      const fromStranger = await driver.exec(stranger.instanceId, fetchFrom(url), { timeoutMs: 20_000 });

      expect(fromPeer).toEqual({ exitCode: 0, output: 'ok\n' });
      expect(byAlias).toEqual({ exitCode: 0, output: 'ok\n' });
      expect(fromStranger.exitCode).not.toBe(0);
      expect(fromStranger.output).not.toContain('ok');
      expect(listDockerObjectsLabelled(labelOf(namespace)).networks.sort()).toEqual([
        `slipway-${namespace}-blog`,
        `slipway-${namespace}-shop`,
      ]);
    });

    it('runs the app with no new privileges and only the kept capabilities, NET_RAW, MKNOD and the like gone', async () => {
      const driver = track(driverOf());
      const spec = specOf(printPrivilegesCommand);
      await driver.start(spec);

      const privileges = await waitFor(async () => {
        const lines = (await collect(driver.logs(spec.instanceId, { tailLines: 10, follow: false }))).map(
          (entry) => entry.line,
        );
        const parsed = parsePrivileges(lines);
        expect(parsed).toBeDefined();
        return parsed;
      });

      expect(privileges).toEqual({
        noNewPrivs: true,
        bounding: [...keptCapabilities].sort(),
        effective: [...keptCapabilities].sort(),
      });
      for (const dropped of ['NET_RAW', 'MKNOD', 'AUDIT_WRITE', 'SETFCAP', 'SYS_CHROOT'])
        expect(privileges?.bounding).not.toContain(dropped);
    });

    it('removes a network with the last container on it', async () => {
      const driver = track(driverOf());
      const first = await driver.start(specOf(programs.chatty(1), { networkScope: 'solo' }));
      const second = await driver.start(specOf(programs.exitThree, { networkScope: 'solo' }));
      const network = `slipway-${namespace}-solo`;

      await driver.remove(first.instanceId);
      const networksWithOne = listDockerObjectsLabelled(labelOf(namespace)).networks;
      await driver.remove(second.instanceId);

      expect(networksWithOne).toEqual([network]);
      expect(listDockerObjectsLabelled(labelOf(namespace))).toEqual({ containers: [], networks: [], services: [] });
    });

    it('publishes the container port given by the spec, passed as PORT, on an allocated host port', async () => {
      const driver = track(driverOf());
      const spec = specOf(programs.httpServer, { containerPort: 8080, env: { PORT: '1' } });

      const status = await driver.start(spec);
      await serving(status.port ?? 0);
      const env = await driver.exec(spec.instanceId, 'echo "$PORT"', { timeoutMs: 10_000 });

      expect(status.port).not.toBe(8080);
      expect(env).toEqual({ exitCode: 0, output: '8080\n' });
    });

    it('replaces an exited container of the same instance id on start', async () => {
      const driver = track(driverOf());
      const spec = specOf(programs.exitThree, { labels: { release: '1' } });
      await driver.start(spec);
      await waitFor(async () => expect((await driver.inspect(spec.instanceId))?.state).toBe('exited'));

      const restarted = await driver.start({ ...spec, command: programs.chatty(1), labels: { release: '2' } });

      expect(restarted).toMatchObject({ state: 'running', labels: { release: '2' } });
      expect(listDockerObjectsLabelled(labelOf(namespace)).containers).toEqual([
        `slipway-${namespace}-${spec.instanceId}`,
      ]);
    });

    it('refuses a spec without an image, and an image the engine does not have, leaving nothing behind', async () => {
      const driver = track(driverOf());
      const { image: _image, ...imageless } = specOf(programs.httpServer);
      const missing = specOf(programs.httpServer, { image: 'local/does-not-exist:never', networkScope: 'gone' });

      await expect(driver.start(imageless)).rejects.toMatchObject({
        code: 'START_FAILED',
        message: expect.stringContaining('the docker runtime runs images') as unknown,
      });
      await expect(driver.start(missing)).rejects.toMatchObject({
        code: 'START_FAILED',
        message: expect.stringMatching(/local\/does-not-exist:never.*no registry pull/) as unknown,
        details: { reason: 'image-not-found' },
      });
      expect(listDockerObjectsLabelled(labelOf(namespace))).toEqual({ containers: [], networks: [], services: [] });
    });

    it('refuses limits the engine does not accept with RESOURCE_LIMITS_INVALID, leaving nothing behind', async () => {
      const driver = track(driverOf());

      await expect(
        driver.start(specOf(programs.chatty(1), { limits: { memoryBytes: 1024 * 1024 } })),
      ).rejects.toMatchObject({ code: 'RESOURCE_LIMITS_INVALID', message: expect.stringContaining('6MB') as unknown });
      await expect(driver.start(specOf(programs.chatty(1), { limits: { cpus: 4096 } }))).rejects.toMatchObject({
        code: 'RESOURCE_LIMITS_INVALID',
        message: expect.stringContaining('CPUs') as unknown,
      });
      await expect(driver.start(specOf(programs.chatty(1), { limits: { pids: -1 } }))).rejects.toMatchObject({
        code: 'RESOURCE_LIMITS_INVALID',
      });
      expect(listDockerObjectsLabelled(labelOf(namespace))).toEqual({ containers: [], networks: [], services: [] });
    });

    it('skips a host port something else listens on, and says PORT_UNAVAILABLE when no other is left', async () => {
      const holder = createServer();
      servers.push(holder);
      await new Promise<void>((resolve) => holder.listen(clashPort, '127.0.0.1', resolve));
      const roomy = track(driverOf({ portRange: { from: clashPort, to: clashPort + 1 } }));
      const cramped = track(driverOf({ portRange: { from: clashPort, to: clashPort } }));

      const started = await roomy.start(specOf(programs.httpServer));
      const refused = specOf(programs.httpServer);

      expect(started.port).toBe(clashPort + 1);
      await serving(started.port ?? 0);
      await expect(cramped.start(refused)).rejects.toMatchObject({ code: 'PORT_UNAVAILABLE' });
      expect(await cramped.inspect(refused.instanceId)).toBeUndefined();
    });

    it('gives distinct host ports to two control planes racing for the same ones', async () => {
      const range = { from: clashPort + 2, to: clashPort + 3 };
      const first = track(driverOf({ portRange: range }));
      const second = track(driverOf({ portRange: range, namespace: otherNamespace }));

      const started = await Promise.all([
        first.start(specOf(programs.httpServer)),
        second.start(specOf(programs.httpServer)),
      ]);

      expect(new Set(started.map((status) => status.port))).toEqual(new Set([range.from, range.to]));
      for (const status of started) await serving(status.port ?? 0);
    });

    it('never lists, inspects, stops or removes the containers of another namespace', async () => {
      const owner = track(driverOf());
      const neighbour = track(driverOf({ namespace: otherNamespace }));
      const spec = specOf(programs.chatty(1));
      const started = await owner.start(spec);

      await neighbour.stop(spec.instanceId, { graceMs: 0 });
      await neighbour.remove(spec.instanceId);

      expect(await neighbour.list()).toEqual([]);
      expect(await neighbour.inspect(spec.instanceId)).toBeUndefined();
      await expect(collect(neighbour.logs(spec.instanceId, { tailLines: 10, follow: false }))).rejects.toMatchObject({
        code: 'INSTANCE_NOT_FOUND',
      });
      expect(await owner.inspect(spec.instanceId)).toMatchObject({ state: 'running', pid: started.pid });
    });

    it('answers RUNTIME_UNAVAILABLE when the engine does not answer', async () => {
      const driver = createDockerDriver({
        engine: createDockerEngine({ host: 'unix:///nonexistent.sock' }),
        namespace,
        portRange: extraRange,
        logger: silentLogger,
      });

      await expect(driver.start(specOf(programs.chatty(1)))).rejects.toMatchObject({ code: 'RUNTIME_UNAVAILABLE' });
      await expect(driver.list()).rejects.toMatchObject({ code: 'RUNTIME_UNAVAILABLE' });
      await expect(driver.inspect('anything')).rejects.toMatchObject({ code: 'RUNTIME_UNAVAILABLE' });
      await expect(driver.stats('anything')).rejects.toMatchObject({ code: 'RUNTIME_UNAVAILABLE' });
    });

    it('stops a command that exec runs past its timeout', async () => {
      const driver = track(driverOf());
      const spec = specOf(programs.chatty(1));
      await driver.start(spec);

      const result = await driver.exec(spec.instanceId, 'echo started; sleep 600', { timeoutMs: 500 });

      expect(result).toEqual({ exitCode: 124, output: 'started\n' });
      await waitFor(async () => {
        const processes = await driver.exec(spec.instanceId, listProcesses, { timeoutMs: 10_000 });
        expect(processes.exitCode).toBe(0);
        expect(processes.output).not.toContain('sleep 600');
      });
    });
  });
});
