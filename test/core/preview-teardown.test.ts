/**
 * A preview's end, over real adapters: on close or merge, after its idle TTL, or when the provider says its pull
 * request is closed, every trace goes (instances, routes, environment, host claims, record) and the pull request is
 * told; removing what is gone changes nothing. The provider token is sealed and shown nowhere.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  cancelDeployment,
  getAppScope,
  getPreviewSettings,
  handleGitEvent,
  listPreviews,
  removePreviewByNumber,
  requestDeployment,
  sweepPreviews,
} from '@slipway/core';
import { waitFor } from '@slipway/testkit';
import { commitB, createPreviewWorld, providerToken, type PreviewWorld } from './preview-fixtures.js';

describe('preview teardown', () => {
  let world: PreviewWorld;
  beforeEach(async () => {
    world = await createPreviewWorld();
  });
  afterEach(async () => {
    await world.close();
  });

  /** Opens pull request `number` and runs a directory build of it in `pr-<n>` to its end (instances, routes). */
  async function servingPreview(number: number): Promise<void> {
    await handleGitEvent(world.deps, world.event('opened', number));
    const [pending] = await listPreviews(world.deps, 'shop').then((all) => all.filter((p) => p.number === number));
    await cancelDeployment(world.deps, { id: pending?.deploymentId ?? '', by: 'test' });
    const source = await world.harness.webSource({
      manifestYaml: 'routes:\n  - host: shop.example.com\n    path: /\n    process: web',
    });
    const view = await requestDeployment(world.deps, {
      app: 'shop',
      environment: `pr-${number}`,
      source: { kind: 'path', path: source },
    });
    const done = await world.harness.runToEnd(view.id);
    expect(done.state).toBe('succeeded');
  }

  it('serves a preview on its own host only, never on the hosts the manifest names for production', async () => {
    await servingPreview(7);
    const scope = await getAppScope(world.deps.store, 'shop', 'pr-7');
    const routes = await world.deps.store.routes.listByApp(scope.app.id, scope.environment.id);
    expect(routes.map((r) => r.host)).toEqual(['pr-7.shop.preview.test']);
    const entry = world.harness.router.latest().routes.find((r) => r.host === 'pr-7.shop.preview.test');
    expect(entry?.isNoindex).toBe(true);
  });

  it('removes every trace of a preview when its pull request merges, and tells the pull request', async () => {
    await servingPreview(7);
    const scope = await getAppScope(world.deps.store, 'shop', 'pr-7');
    expect(await world.harness.instancesOf('shop')).not.toEqual([]);
    world.provider.requests.length = 0;

    const merged = await handleGitEvent(world.deps, world.event('merged', 7));
    expect(merged.outcome).toBe('removed');
    expect(await world.deps.store.environments.find(scope.app.projectId, 'pr-7')).toBeUndefined();
    expect(await world.deps.store.appEnvironments.find(scope.app.id, scope.environment.id)).toBeUndefined();
    expect(await world.deps.store.routes.listByApp(scope.app.id, scope.environment.id)).toEqual([]);
    expect(world.harness.router.latest().routes.map((r) => r.host)).not.toContain('pr-7.shop.preview.test');
    expect(await world.deps.store.instances.list({ appId: scope.app.id, environmentId: scope.environment.id })).toEqual(
      [],
    );
    // An instance the reconciler started while the environment went is an orphan it removes on its next pass.
    await waitFor(async () => {
      const running = (await world.harness.runtime.list()).filter((s) => s.state === 'running');
      expect(running).toEqual([]);
    });
    expect((await world.deps.store.hostClaims.list()).map((c) => c.host).filter((h) => h.includes('pr-7'))).toEqual([]);
    expect(await listPreviews(world.deps, 'shop')).toEqual([]);
    const told = world.provider.requests.map((r) => `${r.method} ${r.path}`);
    expect(told).toEqual([
      'POST /repos/acme/shop/deployments/1002/statuses',
      'PATCH /repos/acme/shop/issues/comments/1004',
    ]);
    expect(world.provider.requests[0]?.json).toMatchObject({ state: 'inactive' });

    expect((await handleGitEvent(world.deps, world.event('closed', 7))).outcome).toBe('ignored');
    expect((await removePreviewByNumber(world.deps, { app: 'shop', number: 7 })).outcome).toBe('ignored');
    expect(await world.deps.store.environments.find(scope.app.projectId, 'production')).toBeDefined();
  });

  it('removes a preview idle past its TTL, and not before', async () => {
    await handleGitEvent(world.deps, world.event('opened', 7));
    world.clock.advance(3 * 86_400_000 - 60_000);
    expect(await sweepPreviews(world.deps, { askProvider: false })).toEqual([]);
    expect(await listPreviews(world.deps, 'shop')).toHaveLength(1);
    world.clock.advance(60_000);
    const done = await sweepPreviews(world.deps, { askProvider: false });
    expect(done).toHaveLength(1);
    expect(done[0]).toContain('idle');
    expect(await listPreviews(world.deps, 'shop')).toEqual([]);
  });

  it('removes a preview whose pull request the provider says is closed, and keeps one it cannot ask about', async () => {
    await handleGitEvent(world.deps, world.event('opened', 7));
    await handleGitEvent(world.deps, world.event('opened', 8));
    world.pullStates.set(7, 'closed');
    world.pullStates.set(8, 'error');
    const done = await sweepPreviews(world.deps, { askProvider: true });
    expect(done.some((line) => line.includes('#7') && line.includes('closed'))).toBe(true);
    expect((await listPreviews(world.deps, 'shop')).map((p) => p.number)).toEqual([8]);
    const asked = world.provider.requests.filter((r) => r.method === 'GET').map((r) => r.path);
    expect(asked).toContain('/repos/acme/shop/pulls/7');
  });

  it('deploys the head the provider reports when the update webhook was lost', async () => {
    await handleGitEvent(world.deps, world.event('opened', 7));
    expect(await sweepPreviews(world.deps, { askProvider: true })).toEqual([]);

    world.pullHeads.set(7, commitB);
    const done = await sweepPreviews(world.deps, { askProvider: true });
    expect(done.join(' ')).toContain(commitB.slice(0, 7));
    await sweepPreviews(world.deps, { askProvider: false });
    const [moved] = await listPreviews(world.deps, 'shop');
    expect(moved?.commit).toBe(commitB);
    const deployment = await world.deps.store.deployments.findById(moved?.deploymentId ?? '');
    expect(deployment?.source).toMatchObject({ kind: 'repository', commit: commitB });
  });

  it('keeps the provider token sealed: not in the stored settings, not in the settings shown', async () => {
    const stored = await world.deps.store.previewSettings.find(
      (await world.deps.store.apps.findByName('shop'))?.id ?? '',
    );
    expect(JSON.stringify(stored)).not.toContain('SENTINEL');
    const shown = await getPreviewSettings(world.deps, 'shop');
    expect(JSON.stringify(shown)).not.toContain(providerToken);
    expect(shown.provider).toMatchObject({ kind: 'github', hasToken: true, repositoryPath: 'acme/shop' });
  });
});
