/**
 * A deployment from an `https://user:token@…` git URL, against a real slipwayd: while it is still PENDING (the worker
 * busy with four deployments held at a failpoint) and once it has FAILED (its fetch refused), a viewer of the project
 * reads it through every answer that shows a deployment — one, the list, its events — and finds neither the token
 * nor its Basic encoding; nor do slipwayd's log and data dir hold them in clear. Narrated in order.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient, type ApiClient, type DeploymentEvent } from '@slipway/contract';
import { waitFor } from '@slipway/testkit';
import { filesUnder } from './files-under.js';
import { createUser, tokenOf } from './identity-fixtures.js';
import { freePort, SlipwaydHarness } from './slipwayd-harness.js';

const sentinel = 'sentinel-dep-token-3b9e47a1';
const busyApps = ['busy-1', 'busy-2', 'busy-3', 'busy-4'];

describe('git credentials in a deployment URL, seen by a viewer', () => {
  let slipwayd: SlipwaydHarness;
  let viewer: ApiClient;
  let deploymentId: string;
  let url: string;
  const answers: unknown[] = [];

  /** Everything a viewer reads of the deployment: it, the app's list, its events up to now. */
  const readAsViewer = async (): Promise<void> => {
    answers.push(await viewer.deployments.get(deploymentId));
    answers.push(await viewer.deployments.list('guarded'));
    const events: DeploymentEvent[] = [];
    const controller = new AbortController();
    const reading = (async () => {
      for await (const event of viewer.deployments.events(deploymentId, { signal: controller.signal })) {
        events.push(event);
      }
    })().catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 300));
    controller.abort();
    await reading;
    answers.push(events);
  };

  beforeAll(async () => {
    // Nothing listens there: a fetch is refused at once.
    url = `http://bot:${sentinel}@127.0.0.1:${await freePort()}/acme/app.git`;
    slipwayd = await SlipwaydHarness.create();
    await slipwayd.start({ env: { SLIPWAY_FAILPOINTS: 'start:fetch=pause' } });
    for (const name of [...busyApps, 'guarded']) await slipwayd.api.apps.create({ name, project: 'acme' });
    await createUser(slipwayd, 'watcher', [{ role: 'viewer', project: 'acme' }]);
    viewer = createApiClient({ baseUrl: slipwayd.url, token: await tokenOf(slipwayd, 'watcher') });
  });

  afterAll(async () => {
    await slipwayd.destroy();
  });

  it('shows a pending deployment without the credentials', async () => {
    // The worker runs four deployments at once: held at the start of their fetch, they keep the fifth pending.
    for (const app of busyApps) await slipwayd.api.deployments.create(app, { git: { url, ref: 'main' } });
    await waitFor(
      async () => {
        for (const app of busyApps) {
          const [latest] = (await slipwayd.api.deployments.list(app)).deployments;
          if (latest?.state !== 'running') throw new Error(`${app} is not running yet`);
        }
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );
    const { deployment } = await slipwayd.api.deployments.create('guarded', { git: { url, ref: 'main' } });
    deploymentId = deployment.id;
    answers.push(deployment);
    await readAsViewer();
    const pending = await viewer.deployments.get(deploymentId);
    expect(pending.state).toBe('pending');
    expect(pending.source).toEqual({
      kind: 'git',
      url: 'http://127.0.0.1:' + new URL(url).port + '/acme/app.git',
      ref: 'main',
    });
  });

  it('shows the failed deployment without the credentials, in its failure too', async () => {
    await slipwayd.kill('SIGKILL');
    await slipwayd.start();
    const failed = await slipwayd.settle(deploymentId, 120_000);
    expect(failed).toMatchObject({ state: 'failed', failure: { phase: 'fetch', code: 'SOURCE_UNREACHABLE' } });
    await readAsViewer();
    const events = answers.at(-1) as DeploymentEvent[];
    expect(events.length).toBeGreaterThan(0);
  });

  it('left the credentials in no answer, log line or file in clear', async () => {
    const basic = Buffer.from(`bot:${sentinel}`).toString('base64');
    const shown = JSON.stringify(answers) + slipwayd.output;
    expect(shown).not.toContain(sentinel);
    expect(shown).not.toContain(basic);
    for (const file of await filesUnder(slipwayd.dataDir)) {
      const text = await readFile(file, 'latin1');
      for (const secret of [sentinel, basic]) expect(text.includes(secret), `${file} holds the token`).toBe(false);
    }
  });
});
