/**
 * `slipway stack import` of a docker compose file against a real slipwayd on the real engine: the services become
 * apps of one stack, deployed in dependency order, reaching each other by service name on the stack's network, with
 * replicas and limits from `deploy:`, and what does not carry over reported rather than dropped. Then the stack as a
 * resource: shown with its services' health, deployed again, rolled back service by service, removed with its apps.
 * Narrated in order.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StackView } from '@slipway/contract';
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

  it('shows the stack with every service healthy, and lists it', async () => {
    const shown = await slipwayd.cli(['stack', 'show', 'shop', '--json']);
    expect(shown.code, shown.stderr).toBe(0);
    const stack = JSON.parse(shown.stdout) as StackView;
    expect(stack).toMatchObject({ name: 'shop', project: 'shop', status: 'healthy', source: { kind: 'file' } });
    expect(stack.services.map((s) => [s.service, s.health, s.release])).toEqual([
      ['api', 'healthy', 1],
      ['web', 'healthy', 1],
    ]);
    expect(stack.services.find((s) => s.service === 'web')?.instances).toEqual({ total: 2, healthy: 2 });
    expect(stack.lastDeployment?.services.map((s) => s.state)).toEqual(['succeeded', 'succeeded']);
    const listed = await slipwayd.cli(['stack', 'list']);
    expect(listed.stdout).toMatch(/^shop\thealthy\t2\/2 services healthy\tproject shop$/m);
  });

  it('deploys the stack again as releases 2, then rolls every service back to release 1 in dependency order', async () => {
    const deployed = await slipwayd.cli(['stack', 'deploy', 'shop']);
    expect(deployed.code, deployed.stderr + deployed.stdout).toBe(0);
    expect(deployed.stdout).toMatch(/deployed stack shop: api, web deployed\n$/);
    const rolled = await slipwayd.cli(['stack', 'rollback', 'shop']);
    expect(rolled.code, rolled.stderr + rolled.stdout).toBe(0);
    const stack = await slipwayd.api.stacks.get('shop');
    expect(stack.lastDeployment).toMatchObject({ kind: 'rollback', state: 'succeeded' });
    expect(stack.services.map((s) => [s.service, s.release])).toEqual([
      ['api', 1],
      ['web', 1],
    ]);
    const [apiRollback] = (await slipwayd.api.deployments.list('api')).deployments;
    const [webRollback] = (await slipwayd.api.deployments.list('web')).deployments;
    expect(apiRollback?.kind).toBe('rollback');
    expect(Date.parse(apiRollback?.finishedAt ?? '')).toBeLessThanOrEqual(Date.parse(webRollback?.createdAt ?? ''));
    await waitFor(async () => expect((await slipwayd.edge('web.localhost')).status).toBe(200), { timeoutMs: 30_000 });
  });

  it('removes the stack with its apps', async () => {
    const removed = await slipwayd.cli(['stack', 'remove', 'shop']);
    expect(removed.code, removed.stderr).toBe(0);
    expect(removed.stdout).toBe('removed stack shop and its apps web, api\n');
    expect((await slipwayd.api.apps.list()).apps.filter((app) => app.project === 'shop')).toEqual([]);
    const shown = await slipwayd.cli(['stack', 'show', 'shop']);
    expect(shown.code).toBe(1);
    expect(shown.stderr).toContain('STACK_NOT_FOUND');
  });
});
