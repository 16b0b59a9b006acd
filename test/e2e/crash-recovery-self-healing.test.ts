/**
 * Self-healing against a real slipwayd, outside any deployment: a crash-looping instance is reported (`CrashLoop`
 * with its exit code and output) and restarted with backoff until it serves again; an instance process no record
 * claims is stopped; an edge router that dies and comes back with an empty table gets its routes back.
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteStore } from '@slipway/adapters';
import { waitFor } from '@slipway/testkit';
import { fixturesDir, SlipwaydHarness } from './slipwayd-harness.js';

const host = 'heal.localhost';

/** A zombie counts as gone: it has exited, and on some machines no init reaps it once its parent is gone. */
const isAlive = (pid: number): boolean => {
  try {
    return !/^\d+ \(.*\) [ZX] /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

describe('self-healing outside deployments', () => {
  let slipwayd: SlipwaydHarness;
  let scratch: string;
  let crashFlag: string;

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'slipway-heal-'));
    // hello-node that exits with code 3 at start while the flag file exists, like an app whose database went away.
    const source = join(scratch, 'app');
    await cp(join(fixturesDir, 'hello-node'), source, { recursive: true });
    const server = await readFile(join(source, 'server.js'), 'utf8');
    await writeFile(
      join(source, 'server.js'),
      `if (require('node:fs').existsSync(process.env.CRASH_FLAG)) {\n` +
        `  console.error('crash flag present: refusing to start');\n  process.exit(3);\n}\n${server}`,
    );
    const manifest = await readFile(join(source, 'slipway.yaml'), 'utf8');
    // Relative to the release, the one place of the host a sandboxed instance sees (read-only) beside the system's.
    await writeFile(join(source, 'slipway.yaml'), `${manifest}env:\n  CRASH_FLAG: crash-flag\n`);

    slipwayd = await SlipwaydHarness.create();
    await slipwayd.start();
    await slipwayd.api.apps.create({ name: 'heal' });
    const { deployment } = await slipwayd.api.deployments.create('heal', { path: source });
    expect((await slipwayd.settle(deployment.id)).state).toBe('succeeded');
    await waitFor(async () => expect((await slipwayd.edge(host)).status).toBe(200));
    const [release] = (await slipwayd.api.releases.list('heal')).releases;
    crashFlag = join(slipwayd.dataDir, 'releases', release?.id ?? '', 'crash-flag');
  });

  afterAll(async () => {
    await slipwayd.destroy();
    await rm(scratch, { recursive: true, force: true });
  });

  const onlyInstance = async () => {
    const { instances } = await slipwayd.api.instances.list('heal');
    expect(instances).toHaveLength(1);
    const [instance] = instances;
    if (!instance) throw new Error('no instance');
    return instance;
  };

  it('reports a crash-looping instance as CrashLoop with exit code and log tail, restarts it with backoff, and clears the report once it serves', async () => {
    const before = await onlyInstance();
    await writeFile(crashFlag, '');
    process.kill(before.pid ?? 0, 'SIGKILL');

    const looping = await waitFor(
      async () => {
        const instance = await onlyInstance();
        expect(instance.crashLoop).toMatchObject({ reason: 'CrashLoop', lastExitCode: 3 });
        return instance;
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    expect(looping).toMatchObject({ id: before.id, lastExitCode: 3 });
    expect(looping.crashLoop?.exits).toBeGreaterThanOrEqual(3);
    expect(looping.crashLoop?.logTail).toContain('crash flag present: refusing to start');
    const status = await (await slipwayd.fetch('/api/v1/status')).json();
    expect(status).toMatchObject({ apps: [{ name: 'heal', instances: { healthy: 0, crashLooping: 1 } }] });
    // Outside a rollout a crash loop fails nothing: no deployment was started or failed because of it.
    const { deployments } = await slipwayd.api.deployments.list('heal');
    expect(deployments.map((d) => d.state)).toEqual(['succeeded']);

    await rm(crashFlag);
    const healed = await waitFor(
      async () => {
        const instance = await onlyInstance();
        expect(instance).toMatchObject({ state: 'healthy', crashLoop: null });
        return instance;
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    expect(healed.id).toBe(before.id);
    expect(healed.restarts).toBeGreaterThan(looping.restarts);
    await waitFor(async () => expect((await slipwayd.edge(host)).status).toBe(200));
  }, 90_000);

  it('gives an edge router that died and came back with an empty table its routes again', async () => {
    const before = await (await slipwayd.fetch('/api/v1/status')).json();
    const edgePid = (before as { edge: { pid: number } }).edge.pid;
    process.kill(edgePid, 'SIGKILL');
    await waitFor(() => expect(isAlive(edgePid)).toBe(false));
    await rm(join(slipwayd.dataDir, 'edge', 'table.json'), { force: true });

    await waitFor(async () => expect((await slipwayd.edge(host)).status).toBe(200), {
      timeoutMs: 30_000,
      intervalMs: 100,
    });
    const after = (await (await slipwayd.fetch('/api/v1/status')).json()) as {
      edge: { pid: number; routes: number };
    };
    expect(after.edge.pid).not.toBe(edgePid);
    expect(after.edge.routes).toBe(1);
  }, 60_000);

  it('stops an instance process that no record claims, and starts the instance the release needs', async () => {
    const orphan = await onlyInstance();
    await slipwayd.kill('SIGKILL');
    const store = await createSqliteStore({ file: join(slipwayd.dataDir, 'slipway.db') });
    await store.instances.delete(orphan.id);
    await store.close();

    await slipwayd.start();

    await waitFor(() => expect(isAlive(orphan.pid ?? 0)).toBe(false), { timeoutMs: 20_000 });
    await waitFor(
      async () => {
        const replacement = await onlyInstance();
        expect(replacement.id).not.toBe(orphan.id);
        expect(replacement.state).toBe('healthy');
      },
      { timeoutMs: 30_000 },
    );
    await waitFor(async () => expect((await slipwayd.edge(host)).status).toBe(200));
  }, 90_000);
});
