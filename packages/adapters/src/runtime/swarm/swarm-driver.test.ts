import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { InstanceSpec, Logger } from '@slipway/core';
import {
  collect,
  containerRuntimePrograms,
  describeRuntimeDriver,
  dockerTestImages,
  swarmTestEngine,
  listDockerObjectsLabelled,
  nodeCommand,
  removeDockerObjectsLabelled,
  runForeverScript,
  waitFor,
  skipUnless,
  parsePrivileges,
  printPrivilegesCommand,
} from '@slipway/testkit';
import { createDockerEngine } from '../../docker/docker-engine.js';
import { keptCapabilities } from '../container-capabilities.js';
import { createSwarmDriver, type SwarmDriver } from './swarm-driver.js';
import { networkNameOf, serviceNameOf } from './swarm-names.js';

const warnings: object[] = [];
const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: (fields) => void warnings.push(fields),
  error: () => undefined,
  child: () => silentLogger,
};

const programs = containerRuntimePrograms;

const portRange = { from: 22_800, to: 22_899 };
const namespace = `test-${randomUUID().slice(0, 8)}`;
const namespaceFilter = `slipway.namespace=${namespace}`;

const engineProbe = swarmTestEngine();

const secretsLabelled = (label: string): string[] =>
  execFileSync('docker', ['secret', 'ls', '-q', '--filter', `label=${label}`], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line !== '');

describe('swarm driver', skipUnless(engineProbe), () => {
  const engine = createDockerEngine();

  beforeAll(() => removeDockerObjectsLabelled(namespaceFilter));
  afterAll(() => removeDockerObjectsLabelled(namespaceFilter));

  describeRuntimeDriver('swarm', {
    create: async () => createSwarmDriver({ engine, namespace, portRange, logger: silentLogger, pollIntervalMs: 100 }),
    programs,
    portRange,
    // Swarm schedules and reports task states in steps of about a second.
    waitTimeoutMs: 30_000,
    specDefaults: { image: dockerTestImages.node },
    unstartable: () => ({ image: 'local/does-not-exist:never' }),
  });

  describe('beyond the contract', () => {
    let driver: SwarmDriver;
    let sequence = 0;
    const runId = randomUUID().slice(0, 8);

    const specOf = (command: string, overrides: Partial<InstanceSpec> = {}): InstanceSpec => {
      sequence += 1;
      return {
        instanceId: `swarm-${runId}-${sequence}`,
        labels: {},
        command,
        workDir: '/app',
        env: {},
        stopGraceMs: 2_000,
        image: dockerTestImages.node,
        ...overrides,
      };
    };
    const stdoutOf = async (instanceId: string): Promise<string[]> =>
      (await collect(driver.logs(instanceId, { tailLines: 1_000, follow: false })))
        .filter((entry) => entry.stream === 'stdout')
        .map((entry) => entry.line);
    /** What an instance could leave behind: its service, containers, secrets and network. */
    const leftoversOf = (instanceId: string) => ({
      ...listDockerObjectsLabelled(`slipway.instance-id=${instanceId}`),
      secrets: secretsLabelled(`slipway.instance-id=${instanceId}`),
    });
    const nothingLeft = { containers: [], networks: [], services: [], secrets: [] };

    beforeAll(() => {
      driver = createSwarmDriver({ engine, namespace, portRange, logger: silentLogger, pollIntervalMs: 100 });
    });
    afterEach(async () => {
      for (const status of await driver.list()) await driver.remove(status.instanceId);
    });

    it('keeps a secret out of the service spec while the program and exec see it as an env var', async () => {
      const secret = `sentinel-${randomUUID()}`;
      const spec = specOf(programs.printEnv(['API_TOKEN', 'GREETING']), {
        env: { API_TOKEN: secret, GREETING: 'hello' },
        secretNames: ['API_TOKEN'],
      });

      await driver.start(spec);

      await waitFor(
        async () => expect(await stdoutOf(spec.instanceId)).toEqual([`API_TOKEN=${secret}`, 'GREETING=hello']),
        {
          timeoutMs: 30_000,
        },
      );
      const inspected = execFileSync('docker', ['service', 'inspect', serviceNameOf(namespace, spec.instanceId)], {
        encoding: 'utf8',
      });
      expect(inspected).toContain('GREETING=hello');
      expect(inspected).not.toContain(secret);
      expect(secretsLabelled(`slipway.instance-id=${spec.instanceId}`)).toHaveLength(1);
      const result = await driver.exec(spec.instanceId, 'echo "token=$API_TOKEN"', { timeoutMs: 10_000 });
      expect(result).toEqual({ exitCode: 0, output: `token=${secret}\n` });

      await driver.remove(spec.instanceId);

      expect(leftoversOf(spec.instanceId)).toEqual(nothingLeft);
    });

    it('refuses a placement no node satisfies with START_FAILED and its reason, leaving nothing behind', async () => {
      const spec = specOf(programs.chatty(1), {
        placement: ['node.labels.slipway-test-zone==nowhere'],
        env: { API_TOKEN: 'x' },
        secretNames: ['API_TOKEN'],
        networkScope: `placement-${runId}`,
      });

      const failure = driver.start(spec);

      await expect(failure).rejects.toMatchObject({
        code: 'START_FAILED',
        message: expect.stringContaining('no suitable node') as unknown,
        details: { reason: 'no-suitable-node', placement: spec.placement },
      });
      expect(await driver.inspect(spec.instanceId)).toBeUndefined();
      expect(leftoversOf(spec.instanceId)).toEqual(nothingLeft);
      expect(listDockerObjectsLabelled(namespaceFilter).networks).toEqual([]);
    });

    it('refuses an image missing from the node with START_FAILED naming it, leaving nothing behind', async () => {
      const spec = specOf(programs.chatty(1), {
        image: 'local/does-not-exist:never',
        env: { API_TOKEN: 'x' },
        secretNames: ['API_TOKEN'],
        networkScope: `missing-${runId}`,
      });

      await expect(driver.start(spec)).rejects.toMatchObject({
        code: 'START_FAILED',
        message: expect.stringContaining('local/does-not-exist:never') as unknown,
        details: { reason: 'image-not-found', image: 'local/does-not-exist:never' },
      });
      expect(leftoversOf(spec.instanceId)).toEqual(nothingLeft);
      expect(listDockerObjectsLabelled(namespaceFilter).networks).toEqual([]);
    });

    it('reports the limits the swarm enforces, read back from the service', async () => {
      const limits = { memoryBytes: 256 * 1024 * 1024, cpus: 0.25, pids: 50 };
      const spec = specOf(programs.chatty(1), { limits });

      const started = await driver.start(spec);

      expect(started.limits).toEqual(limits);
      expect((await driver.list()).find((status) => status.instanceId === spec.instanceId)?.limits).toEqual(limits);
      const resources = JSON.parse(
        execFileSync(
          'docker',
          [
            'service',
            'inspect',
            '-f',
            '{{json .Spec.TaskTemplate.Resources.Limits}}',
            serviceNameOf(namespace, spec.instanceId),
          ],
          { encoding: 'utf8' },
        ),
      ) as unknown;
      expect(resources).toEqual({ MemoryBytes: 256 * 1024 * 1024, NanoCPUs: 250_000_000, Pids: 50 });
      expect(started.node).toEqual(expect.any(String));
    });

    it('puts instances of one scope on an overlay network where they reach each other by alias, removed with the last', async () => {
      const scope = `net-${runId}`;
      const server = specOf(programs.httpServer, { networkScope: scope, networkAliases: ['web'], containerPort: 8080 });
      const client = specOf(programs.chatty(1), { networkScope: scope });
      const serverStatus = await driver.start(server);
      await driver.start(client);

      const networkName = networkNameOf(namespace, scope);
      expect(listDockerObjectsLabelled(namespaceFilter).networks).toEqual([networkName]);
      const fetchServer = nodeCommand(
        "require('dns').promises.resolve4(process.argv[1]).then((ips) => fetch('http://' + ips[0] + ':8080/')).then((r) => r.text()).then(console.log)",
        'web',
      );
      await waitFor(
        async () => {
          expect(await driver.exec(client.instanceId, fetchServer, { timeoutMs: 10_000 })).toEqual({
            exitCode: 0,
            output: 'ok\n',
          });
        },
        { timeoutMs: 30_000 },
      );
      expect(serverStatus.port).not.toBe(8080);

      await driver.remove(server.instanceId);
      expect(listDockerObjectsLabelled(namespaceFilter).networks).toEqual([networkName]);
      await driver.remove(client.instanceId);
      expect(listDockerObjectsLabelled(namespaceFilter).networks).toEqual([]);
    });

    it('runs the task with only the kept capabilities (no-new-privileges needs a later Engine API)', async () => {
      const spec = specOf(printPrivilegesCommand);
      await driver.start(spec);

      const privileges = await waitFor(
        async () => {
          const parsed = parsePrivileges(await stdoutOf(spec.instanceId));
          expect(parsed).toBeDefined();
          return parsed;
        },
        { timeoutMs: 30_000 },
      );

      expect(privileges?.bounding).toEqual([...keptCapabilities].sort());
      expect(privileges?.effective).toEqual([...keptCapabilities].sort());
    });

    it('starts an exited instance again under the same id', async () => {
      const spec = specOf(programs.exitThree);
      await driver.start(spec);
      await waitFor(async () => expect((await driver.inspect(spec.instanceId))?.state).toBe('exited'), {
        timeoutMs: 30_000,
      });

      const again = await driver.start({ ...spec, command: programs.chatty(2) });

      expect(again).toMatchObject({ state: 'running', exitCode: null });
      await waitFor(async () => expect(await stdoutOf(spec.instanceId)).toEqual(['line 1', 'line 2']), {
        timeoutMs: 30_000,
      });
      expect(listDockerObjectsLabelled(`slipway.instance-id=${spec.instanceId}`).services).toHaveLength(1);
    });

    it('kills a program that ignores SIGTERM once the grace has passed, and reports SIGKILL', async () => {
      const spec = specOf(
        nodeCommand(`process.on('SIGTERM', () => console.log('ignored')); console.log('ready'); ${runForeverScript}`),
      );
      await driver.start(spec);
      await waitFor(async () => expect(await stdoutOf(spec.instanceId)).toEqual(['ready']), { timeoutMs: 30_000 });

      await driver.stop(spec.instanceId, { graceMs: 500 });

      expect(await driver.inspect(spec.instanceId)).toMatchObject({
        state: 'exited',
        exitCode: 137,
        exitSignal: 'SIGKILL',
        oomKilled: false,
      });
      expect(await stdoutOf(spec.instanceId)).toEqual(['ready', 'ignored']);
    });

    it('keeps a secret of an image run with its own command in the env, and says so', async () => {
      const spec = specOf('', { env: { API_TOKEN: 'kept' }, secretNames: ['API_TOKEN'] });
      warnings.length = 0;

      await driver.start(spec);

      expect(warnings).toEqual([expect.objectContaining({ instanceId: spec.instanceId, envName: 'API_TOKEN' })]);
      expect(secretsLabelled(`slipway.instance-id=${spec.instanceId}`)).toEqual([]);
    });

    it('fails with RUNTIME_UNAVAILABLE when the engine does not answer', async () => {
      const down = createSwarmDriver({
        engine: createDockerEngine({ host: 'unix:///nonexistent/docker.sock' }),
        namespace,
        portRange,
        logger: silentLogger,
      });

      await expect(down.list()).rejects.toMatchObject({ code: 'RUNTIME_UNAVAILABLE' });
      await expect(down.start(specOf(programs.chatty(1)))).rejects.toMatchObject({ code: 'RUNTIME_UNAVAILABLE' });
      await expect(down.stats('anything')).rejects.toMatchObject({ code: 'RUNTIME_UNAVAILABLE' });
    });
  });
});
