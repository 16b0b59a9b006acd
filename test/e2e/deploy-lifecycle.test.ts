/**
 * The walkthrough of the README, driven from outside: a real slipwayd, the real CLI, real child processes and the
 * real edge router. Narrated step by step because each step depends on the one before.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@slipway/testkit';
import { fixturesDir, SlipwaydHarness } from './slipwayd-harness.js';

describe('deploying hello-node end to end', () => {
  let slipwayd: SlipwaydHarness;
  let changedFixture: string;

  beforeAll(async () => {
    slipwayd = await SlipwaydHarness.create();
    await slipwayd.start();
    changedFixture = await mkdtemp(join(tmpdir(), 'slipway-hello-v2-'));
    await cp(join(fixturesDir, 'hello-node'), changedFixture, { recursive: true });
    const server = await readFile(join(changedFixture, 'server.js'), 'utf8');
    await writeFile(join(changedFixture, 'server.js'), server.replace(/'v1'/g, "'v2'"));
  });

  afterAll(async () => {
    await slipwayd.destroy();
    await rm(changedFixture, { recursive: true, force: true });
  });

  it('creates the app with the CLI', async () => {
    const result = await slipwayd.cli(['apps', 'create', 'hello']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const list = await slipwayd.cli(['apps', 'list', '--json']);
    expect(JSON.parse(list.stdout)).toMatchObject({ apps: [{ name: 'hello', project: 'default' }] });
  });

  it('deploys from a directory, streaming phases, and serves on hello.localhost through the edge', async () => {
    const result = await slipwayd.cli(['deploy', 'hello', '--path', join(fixturesDir, 'hello-node')]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/build/);
    expect(result.stdout).toMatch(/release 1/);
    const answer = await waitFor(async () => {
      const a = await slipwayd.edge('hello.localhost');
      expect(a.status).toBe(200);
      return a;
    });
    expect(answer.body).toContain('hello from release v1');
  });

  it('answers 404 for a host no app is routed for', async () => {
    const answer = await slipwayd.edge('nobody.localhost');
    expect(answer.status).toBe(404);
  });

  it('creates release 2 from a changed source and serves it', async () => {
    const result = await slipwayd.cli(['deploy', 'hello', '--path', changedFixture]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toMatch(/release 2/);
    await waitFor(async () => expect((await slipwayd.edge('hello.localhost')).body).toContain('hello from release v2'));
    const releases = await slipwayd.api.releases.list('hello');
    expect(releases.releases.map((r) => [r.number, r.isCurrent])).toEqual([
      [2, true],
      [1, false],
    ]);
  });

  it('rolls back to release 1 without a build', async () => {
    const result = await slipwayd.cli(['rollback', 'hello']);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    await waitFor(async () => expect((await slipwayd.edge('hello.localhost')).body).toContain('hello from release v1'));
    const [rollback] = (await slipwayd.api.deployments.list('hello', { limit: 1 })).deployments;
    expect(rollback?.kind).toBe('rollback');
    expect(rollback?.state).toBe('succeeded');
    expect(rollback?.releaseNumber).toBe(1);
    expect(rollback?.phases.filter((p) => p.phase === 'build' && p.state === 'succeeded')).toEqual([]);
    const app = await slipwayd.api.apps.get('hello');
    expect(app.environments[0]?.currentRelease).toBe(1);
  });

  it('scales web to 3 healthy instances, all behind the edge', async () => {
    const result = await slipwayd.cli(['scale', 'hello', 'web=3']);
    expect(result.code, result.stderr).toBe(0);
    await waitFor(
      async () => {
        const { instances } = await slipwayd.api.instances.list('hello');
        expect(instances.filter((i) => i.state === 'healthy')).toHaveLength(3);
        expect(instances).toHaveLength(3);
      },
      { timeoutMs: 30_000 },
    );
    const seen = new Set<string>();
    for (let n = 0; n < 30; n += 1) {
      const answer = await slipwayd.edge('hello.localhost');
      expect(answer.status).toBe(200);
      const instance = /instance (\S+)/.exec(answer.body)?.[1];
      if (instance) seen.add(instance);
    }
    expect(seen.size).toBe(3);
  });

  it('shows logs and status', async () => {
    const logs = await slipwayd.cli(['logs', 'hello', '--json']);
    expect(logs.code, logs.stderr).toBe(0);
    expect((JSON.parse(logs.stdout) as { lines: unknown[] }).lines.length).toBeGreaterThan(0);
    const status = await slipwayd.cli(['status', '--json']);
    expect(status.code, status.stderr).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      edge: { isRunning: true },
      apps: [{ name: 'hello', currentRelease: 1, instances: { healthy: 3 } }],
    });
  });

  it('keeps serving when slipwayd is killed with SIGKILL, and re-adopts the instances on restart', async () => {
    const before = (await slipwayd.api.instances.list('hello')).instances.map((i) => [i.id, i.pid]).sort();
    await slipwayd.kill('SIGKILL');
    for (let n = 0; n < 10; n += 1) expect((await slipwayd.edge('hello.localhost')).status).toBe(200);
    await slipwayd.start();
    await waitFor(async () => {
      const after = (await slipwayd.api.instances.list('hello')).instances;
      expect(after.map((i) => [i.id, i.pid]).sort()).toEqual(before);
      expect(after.every((i) => i.state === 'healthy')).toBe(true);
    });
    expect((await slipwayd.edge('hello.localhost')).status).toBe(200);
  });

  it('restarts an instance that dies, with the same id', async () => {
    const [victim] = (await slipwayd.api.instances.list('hello')).instances;
    expect(victim?.pid).toBeTypeOf('number');
    process.kill(victim?.pid ?? 0, 'SIGKILL');
    await waitFor(
      async () => {
        const again = (await slipwayd.api.instances.list('hello')).instances.find((i) => i.id === victim?.id);
        expect(again?.restarts).toBeGreaterThanOrEqual(1);
        expect(again?.state).toBe('healthy');
        expect(again?.pid).not.toBe(victim?.pid);
      },
      { timeoutMs: 20_000 },
    );
  });

  it('rolls out a config change as a new release without a build', async () => {
    const result = await slipwayd.cli(['config', 'set', 'hello', 'GREETING=bonjour']);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const { releases } = await slipwayd.api.releases.list('hello');
    expect(releases[0]).toMatchObject({
      number: 3,
      isCurrent: true,
      configKeys: expect.arrayContaining(['GREETING']) as unknown,
    });
  });

  it('stops everything of an app when it is deleted', async () => {
    const result = await slipwayd.cli(['apps', 'delete', 'hello', '--yes']);
    expect(result.code, result.stderr).toBe(0);
    await waitFor(async () => expect((await slipwayd.edge('hello.localhost')).status).toBe(404));
    await waitFor(() => {
      for (const pid of slipwayd.instancePids()) expect(() => process.kill(pid, 0)).toThrow();
    });
  });
});
