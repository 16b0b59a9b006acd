/**
 * Runtime tasks through the real CLI against a real slipwayd: one-off commands in the release's environment, stop
 * (kept across a restart of slipwayd) and start, restart, and the maintenance page the edge serves meanwhile.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@slipway/testkit';
import { fixturesDir, SlipwaydHarness } from './slipwayd-harness.js';

describe('runtime tasks', () => {
  let slipwayd: SlipwaydHarness;
  let scratch: string;

  beforeAll(async () => {
    slipwayd = await SlipwaydHarness.create();
    await slipwayd.start();
    scratch = await mkdtemp(join(tmpdir(), 'slipway-tasks-'));
    expect((await slipwayd.cli(['apps', 'create', 'tasks'])).code).toBe(0);
    const deployed = await slipwayd.cli(['deploy', 'tasks', '--path', join(fixturesDir, 'hello-node')]);
    expect(deployed.code, deployed.stdout + deployed.stderr).toBe(0);
    const configured = await slipwayd.cli(['config', 'set', 'tasks', 'GREETING=hi']);
    expect(configured.code, configured.stdout + configured.stderr).toBe(0);
  });

  afterAll(async () => {
    await slipwayd.destroy();
    await rm(scratch, { recursive: true, force: true });
  });

  const liveInstances = async () =>
    (await slipwayd.api.instances.list('tasks')).instances.filter((i) => i.state !== 'draining');

  describe('slipway run', () => {
    it('runs a command in the release, streaming its output and exiting with its code', async () => {
      const script = [
        "console.log('greeting=' + process.env.GREETING)",
        "console.log('port=' + (process.env.PORT ?? 'none'))",
        "console.log('has-server=' + require('node:fs').existsSync('server.js'))",
        // As the app's processes get them from its builder: NODE_ENV and the installed tools on PATH.
        "console.log('node-env=' + process.env.NODE_ENV)",
        "console.log('tools-on-path=' + process.env.PATH.split(':').some((p) => p.endsWith('node_modules/.bin')))",
        "console.error('to stderr')",
        'process.exit(3)',
      ].join(';');
      const result = await slipwayd.cli(['run', 'tasks', '--', 'node', '-e', script]);

      expect(result.code, result.stderr).toBe(3);
      expect(result.stdout.split('\n')).toEqual([
        'greeting=hi',
        'port=none',
        'has-server=true',
        'node-env=production',
        'tools-on-path=true',
        '',
      ]);
      expect(result.stderr).toContain('to stderr');
      expect(result.stderr).toMatch(/running in tasks release 2/);
    });

    it('stops a command at its deadline with exit code 124', async () => {
      const result = await slipwayd.cli(['run', 'tasks', '--timeout', '1', '--', 'sleep', '30']);

      expect(result.code, result.stderr).toBe(124);
      expect(result.stderr).toMatch(/deadline/);
    });

    it('records each run in the audit log, without the command', async () => {
      const audit = await slipwayd.cli(['audit', 'list', '--action', 'apps.run', '--json']);
      const runs = (
        JSON.parse(audit.stdout) as { records: { action: string; details: Record<string, unknown> }[] }
      ).records.filter((r) => r.action === 'apps.run');
      expect(runs.length).toBeGreaterThanOrEqual(2);
      expect(runs.map((r) => r.details.exitCode)).toEqual(expect.arrayContaining([3]));
      expect(JSON.stringify(runs)).not.toContain('sleep');
    });

    it('refuses an app without a release with NO_RELEASE', async () => {
      expect((await slipwayd.cli(['apps', 'create', 'empty'])).code).toBe(0);
      const result = await slipwayd.cli(['run', 'empty', '--', 'true']);

      expect(result.code).toBe(1);
      expect(result.stderr).toContain('NO_RELEASE');
    });
  });

  describe('stop, start and maintenance', () => {
    it('stops the app: no instance, the edge answers 503 with Retry-After and a page, and a deploy is refused', async () => {
      const stopped = await slipwayd.cli(['stop', 'tasks']);
      expect(stopped.code, stopped.stderr).toBe(0);
      expect(stopped.stdout).toContain('stopped tasks');

      expect(await liveInstances()).toEqual([]);
      const answer = await waitFor(async () => {
        const got = await slipwayd.edge('tasks.localhost');
        if (got.status !== 503 || got.headers['retry-after'] === undefined) throw new Error(`status ${got.status}`);
        return got;
      });
      expect(answer.headers['retry-after']).toBe('60');
      expect(answer.body).toContain('down for maintenance');
      const deploy = await slipwayd.cli(['deploy', 'tasks', '--path', join(fixturesDir, 'hello-node')]);
      expect(deploy.code).not.toBe(0);
      expect(deploy.stderr + deploy.stdout).toContain('APP_STOPPED');
      expect(deploy.stderr + deploy.stdout).toContain('slipway start tasks');
    });

    it('keeps a stopped app stopped across a restart of slipwayd', async () => {
      await slipwayd.kill('SIGTERM');
      await slipwayd.start();
      // Several passes of the controller (every 500 ms) must leave it with nothing running.
      const passes = 6;
      for (let pass = 0; pass < passes; pass += 1) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        expect(await liveInstances()).toEqual([]);
      }
      expect((await slipwayd.edge('tasks.localhost')).status).toBe(503);
    });

    it('starts it again: its release serves', async () => {
      const started = await slipwayd.cli(['start', 'tasks']);
      expect(started.code, started.stderr).toBe(0);
      expect((await liveInstances()).map((i) => i.state)).toEqual(['healthy']);
      await waitFor(async () => expect((await slipwayd.edge('tasks.localhost')).status).toBe(200));
    });

    it("serves a page of the app's own while in maintenance, and the app again once off", async () => {
      const page = join(scratch, 'maintenance.html');
      await writeFile(page, '<h1>Back at noon</h1>');
      const on = await slipwayd.cli(['maintenance', 'on', 'tasks', '--page', page, '--retry-after', '120']);
      expect(on.code, on.stderr).toBe(0);
      const answer = await waitFor(async () => {
        const got = await slipwayd.edge('tasks.localhost');
        if (got.status !== 503) throw new Error(`status ${got.status}`);
        return got;
      });
      expect(answer.body).toBe('<h1>Back at noon</h1>');
      expect(answer.headers['retry-after']).toBe('120');
      expect((await liveInstances()).map((i) => i.state)).toEqual(['healthy']);

      expect((await slipwayd.cli(['maintenance', 'off', 'tasks'])).code).toBe(0);
      await waitFor(async () => expect((await slipwayd.edge('tasks.localhost')).status).toBe(200));
    });
  });

  describe('slipway restart', () => {
    it('replaces every instance with a new one of the same release while the app keeps serving', async () => {
      const before = (await liveInstances()).map((i) => i.id);
      const releasesBefore = (await slipwayd.api.releases.list('tasks')).releases.length;
      const poller = slipwayd.pollEdge('tasks.localhost');

      const restarted = await slipwayd.cli(['restart', 'tasks']);
      const polled = await poller.stop();

      expect(restarted.code, restarted.stdout + restarted.stderr).toBe(0);
      expect(restarted.stdout).toContain('restarted tasks');
      const after = await liveInstances();
      expect(after.map((i) => i.id).filter((id) => before.includes(id))).toEqual([]);
      expect(after.map((i) => i.releaseNumber)).toEqual([2]);
      expect((await slipwayd.api.releases.list('tasks')).releases.length).toBe(releasesBefore);
      expect(polled.failures).toBe(0);
    });
  });
});
