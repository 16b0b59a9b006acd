/**
 * `slipway stack import` of a docker compose file against a real slipwayd on the real engine: the services become
 * apps of one stack, deployed in dependency order, reaching each other by service name on the stack's network, with
 * replicas and limits from `deploy:`, and what does not carry over reported rather than dropped.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerTestEngine, waitFor, skipUnless } from '@slipway/testkit';
import { repoRoot, SlipwaydHarness } from './slipwayd-harness.js';

const engine = dockerTestEngine();
const composeFile = join(repoRoot, 'test', 'fixtures', 'stacks', 'shop', 'docker-compose.yml');

describe('slipway stack import, end to end', skipUnless(engine), () => {
  let slipwayd: SlipwaydHarness;

  beforeAll(async () => {
    slipwayd = await SlipwaydHarness.create({ containers: 'docker' });
    await slipwayd.start();
  });

  afterAll(async () => {
    await slipwayd.destroy();
  });

  it('imports a compose stack: apps in dependency order, reaching each other by name, unsupported keys listed', async () => {
    const imported = await slipwayd.cli(['stack', 'import', composeFile]);

    expect(imported.code, imported.stderr + imported.stdout).toBe(0);
    expect(imported.stderr).toMatch(/services\.api\.volumes/);
    expect(imported.stderr).toMatch(/(^|\n)warning: volumes: /);
    // api (which web depends on) was deployed to its end before web's deployment began.
    const [apiDeployment] = (await slipwayd.api.deployments.list('api')).deployments;
    const [webDeployment] = (await slipwayd.api.deployments.list('web')).deployments;
    expect(Date.parse(apiDeployment?.finishedAt ?? '')).toBeLessThanOrEqual(Date.parse(webDeployment?.createdAt ?? ''));
    const { apps } = await slipwayd.api.apps.list();
    expect(
      apps
        .filter((app) => app.project === 'shop')
        .map((app) => app.name)
        .sort(),
    ).toEqual(['api', 'web']);

    await waitFor(
      async () =>
        expect((await slipwayd.edge('web.localhost')).body).toBe(
          'hello from the shop (built by compose); api: 200 api ok\n',
        ),
      { timeoutMs: 60_000 },
    );
    const web = (await slipwayd.api.instances.list('web')).instances;
    expect(web).toHaveLength(2);
    expect(web.every((i) => i.runtime === 'docker')).toBe(true);
    expect(web[0]?.limits).toEqual({ memoryBytes: 128 * 1024 * 1024, cpus: 0.5 });
    const api = (await slipwayd.api.instances.list('api')).instances;
    expect(api[0]?.limits).toEqual({ memoryBytes: 32 * 1024 * 1024, pids: 64 });
  });
});
