/**
 * Deployments through the real CLI: the id `deploy --no-follow` prints is accepted by `deployments list|show|logs|
 * cancel`, and the whole log of a past deployment — a failed one's included — can be read after the fact, as text
 * and as JSON lines.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentEvent } from '@slipway/contract';
import { fixturesDir, SlipwaydHarness } from './slipwayd-harness.js';
import { join } from 'node:path';

describe('slipway deployments', () => {
  let slipwayd: SlipwaydHarness;

  beforeAll(async () => {
    slipwayd = await SlipwaydHarness.create();
    await slipwayd.start();
    const created = await slipwayd.cli(['apps', 'create', 'broken']);
    expect(created.code, created.stderr).toBe(0);
  });

  afterAll(async () => {
    await slipwayd.destroy();
  });

  /** Deploys with --no-follow and returns the id the CLI printed. */
  async function deployNoFollow(app: string, fixture: string): Promise<string> {
    const started = await slipwayd.cli(['deploy', app, '--path', join(fixturesDir, fixture), '--no-follow']);
    expect(started.code, started.stderr).toBe(0);
    const id = /deployment (\S+) of /.exec(started.stdout)?.[1];
    expect(id, started.stdout).toBeDefined();
    expect(started.stdout).toContain(`follow it with: slipway deployments logs ${id ?? ''}`);
    return id ?? '';
  }

  it('reads the whole log of a failed deployment after the fact, by the id --no-follow printed', async () => {
    const id = await deployNoFollow('broken', 'build-fails');
    expect((await slipwayd.settle(id)).state).toBe('failed');

    const logs = await slipwayd.cli(['deployments', 'logs', id]);
    expect(logs.code, logs.stderr).toBe(0);
    expect(logs.stdout).toContain('▸ build');
    expect(logs.stdout).toContain('compiling…');
    expect(logs.stdout).toContain('error: something is broken');
    expect(logs.stdout).toContain('✗ failed in build: BUILD_FAILED');
    expect(logs.stdout.match(/BUILD_FAILED/g)).toHaveLength(1);

    const json = await slipwayd.cli(['deployments', 'logs', id, '--json']);
    expect(json.code, json.stderr).toBe(0);
    const events = json.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as DeploymentEvent);
    expect(events.filter((e) => e.type === 'log').map((e) => e.line)).toEqual(
      expect.arrayContaining([expect.stringContaining('error: something is broken')]),
    );
    expect(events.at(-1)).toMatchObject({ type: 'state', state: 'failed', failure: { code: 'BUILD_FAILED' } });
    expect(events.map((e) => e.seq)).toEqual([...events.map((e) => e.seq)].sort((a, b) => a - b));
  });

  it('prints the failure of a followed deployment once', async () => {
    const deploy = await slipwayd.cli(['deploy', 'broken', '--path', join(fixturesDir, 'build-fails')]);
    expect(deploy.code).toBe(1);
    expect(deploy.stdout.match(/BUILD_FAILED/g)).toHaveLength(1);
    expect(deploy.stdout).toContain('✗ failed in build: BUILD_FAILED');
  });

  it('accepts that id in list, show and cancel too', async () => {
    const id = await deployNoFollow('broken', 'build-fails');
    const list = await slipwayd.cli(['deployments', 'list', 'broken', '--json']);
    expect(list.code, list.stderr).toBe(0);
    expect((JSON.parse(list.stdout) as { deployments: Array<{ id: string }> }).deployments.map((d) => d.id)).toContain(
      id,
    );
    const show = await slipwayd.cli(['deployments', 'show', id]);
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toContain(`deployment ${id} of broken`);
    const cancel = await slipwayd.cli(['deployments', 'cancel', id]);
    // Cancelled, cancelling, or already over: each says the id was found.
    expect(cancel.stderr).not.toContain('DEPLOYMENT_NOT_FOUND');
    if (cancel.code !== 0) expect(cancel.stderr).toContain('DEPLOYMENT_NOT_CANCELLABLE');
    await slipwayd.settle(id);
  });

  it('says an unknown id is not found, with a hint to list them', async () => {
    const logs = await slipwayd.cli(['deployments', 'logs', 'dep_nope']);
    expect(logs.code).toBe(1);
    expect(logs.stderr).toContain('error: DEPLOYMENT_NOT_FOUND');
    expect(logs.stderr).toContain("hint: list an app's deployments with: slipway deployments list APP");
  });
});
