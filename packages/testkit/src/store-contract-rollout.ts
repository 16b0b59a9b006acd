/** Store contract, rollout part: deployments, phases, events, instances and routes. */
import { describe, expect, it } from 'vitest';
import type { DeploymentRecord, Store } from '@slipway/core';
import {
  api,
  byId,
  deployment,
  instance,
  phase,
  production,
  rejection,
  route,
  staging,
  t0,
  web,
} from './store-contract-fixtures.js';

/** Registers the rollout tests; `store` returns the migrated, seeded store of the running test. */
export function describeRolloutContract(store: () => Store): void {
  describe('deployments', () => {
    it('round-trips a deployment with nulls, then replaces it whole on update', async () => {
      const pending = deployment('dep_01');
      await store().deployments.insert(pending);
      expect(await store().deployments.findById('dep_01')).toEqual(pending);
      expect(await store().deployments.findById('dep_missing')).toBeUndefined();

      const failed = deployment('dep_01', {
        state: 'failed',
        phase: 'rollout',
        sourceView: { kind: 'path', path: '/srv/acme/web' },
        releaseId: 'rel_02',
        previousReleaseId: 'rel_01',
        config: { A: '1' },
        failure: { phase: 'rollout', code: 'HEALTH_CHECK_FAILED', reason: 'GET / returned 503 three times' },
        updatedAtMs: t0 + 10,
        finishedAtMs: t0 + 10,
      });
      await store().deployments.update(failed);
      expect(await store().deployments.findById('dep_01')).toEqual(failed);
      expect((await rejection(store().deployments.update(deployment('dep_missing')))).code).toBe(
        'DEPLOYMENT_NOT_FOUND',
      );
    });

    it('round-trips every kind of source', async () => {
      const sources: DeploymentRecord['source'][] = [
        { kind: 'git', url: 'https://git.example/acme/web.git', ref: 'v1.2.0' },
        { kind: 'git', url: 'https://git.example/acme/web.git' },
        { kind: 'archive', file: '/tmp/upload-1.tar.gz', fileName: 'web.tar.gz', sizeBytes: 1024 },
        { kind: 'release', releaseId: 'rel_01' },
      ];
      for (const [index, source] of sources.entries()) {
        await store().deployments.insert(
          deployment(`dep_0${index}`, { source, kind: source.kind === 'release' ? 'rollback' : 'deploy' }),
        );
        expect((await store().deployments.findById(`dep_0${index}`))?.source).toEqual(source);
      }
    });

    it('lists deployments newest first, at most limit, per app and environment', async () => {
      for (const n of [1, 2, 3])
        await store().deployments.insert(deployment(`dep_0${n}`, { createdAtMs: t0 + n, state: 'succeeded' }));
      await store().deployments.insert(deployment('dep_04', { environmentId: staging.id, createdAtMs: t0 + 9 }));
      const ids = async (limit: number) =>
        (await store().deployments.list(web.id, production.id, limit)).map((d) => d.id);
      expect(await ids(10)).toEqual(['dep_03', 'dep_02', 'dep_01']);
      expect(await ids(2)).toEqual(['dep_03', 'dep_02']);
    });

    it('lists the newest deployment of each app of one environment', async () => {
      await store().deployments.insert(deployment('dep_01', { createdAtMs: t0 + 1 }));
      await store().deployments.insert(deployment('dep_02', { createdAtMs: t0 + 2 }));
      // Same time: the greater id is the newer, as `list` orders them.
      await store().deployments.insert(deployment('dep_03', { appId: api.id, createdAtMs: t0 + 5 }));
      await store().deployments.insert(deployment('dep_04', { appId: api.id, createdAtMs: t0 + 5 }));
      await store().deployments.insert(deployment('dep_05', { environmentId: staging.id, createdAtMs: t0 + 9 }));
      expect(byId(await store().deployments.listLatestOfEnvironment(production.id)).map((d) => d.id)).toEqual([
        'dep_02',
        'dep_04',
      ]);
      expect(await store().deployments.listLatestOfEnvironment('env_missing')).toEqual([]);
    });

    it('finds the pending or running deployment as the active one', async () => {
      await store().deployments.insert(deployment('dep_01', { state: 'succeeded', finishedAtMs: t0 }));
      await store().deployments.insert(deployment('dep_02', { state: 'pending', environmentId: staging.id }));
      expect(await store().deployments.findActive(web.id, production.id)).toBeUndefined();
      await store().deployments.insert(deployment('dep_03', { state: 'running', createdAtMs: t0 + 1 }));
      expect((await store().deployments.findActive(web.id, production.id))?.id).toBe('dep_03');
      await store().deployments.update(deployment('dep_03', { state: 'cancelled', createdAtMs: t0 + 1 }));
      expect(await store().deployments.findActive(web.id, production.id)).toBeUndefined();
      expect((await store().deployments.findActive(web.id, staging.id))?.id).toBe('dep_02');
    });

    it('records one cancel request on an active deployment, which a later update keeps', async () => {
      await store().deployments.insert(deployment('dep_01', { state: 'running' }));
      await store().deployments.insert(deployment('dep_02', { state: 'succeeded', finishedAtMs: t0 }));
      const first = { by: 'alice', requestedAtMs: t0 + 5 };
      expect(await store().deployments.requestCancellation('dep_01', first)).toBe(true);
      expect(await store().deployments.requestCancellation('dep_01', { by: 'bob', requestedAtMs: t0 + 6 })).toBe(false);
      expect(await store().deployments.requestCancellation('dep_02', first)).toBe(false);
      expect(await store().deployments.requestCancellation('dep_missing', first)).toBe(false);
      // A run saving its progress from a record read before the request does not erase it.
      await store().deployments.update(deployment('dep_01', { state: 'running', phase: 'build' }));
      expect(await store().deployments.findById('dep_01')).toMatchObject({ phase: 'build', cancellation: first });
      expect((await store().deployments.findById('dep_02'))?.cancellation).toBeNull();
    });

    it('lists the deployments in any of the given states', async () => {
      const states = ['pending', 'running', 'succeeded', 'failed', 'cancelled'] as const;
      for (const [index, state] of states.entries())
        await store().deployments.insert(deployment(`dep_0${index}`, { state, appId: index % 2 ? api.id : web.id }));
      const ids = async (wanted: readonly DeploymentRecord['state'][]) =>
        byId(await store().deployments.listByState(wanted)).map((d) => d.id);
      expect(await ids(['pending', 'running'])).toEqual(['dep_00', 'dep_01']);
      expect(await ids(['failed'])).toEqual(['dep_03']);
      expect(await ids([])).toEqual([]);
    });

    it('counts deployments by app environment and state', async () => {
      expect(await store().deployments.countByState()).toEqual([]);
      const states = ['succeeded', 'succeeded', 'failed', 'succeeded'] as const;
      for (const [index, state] of states.entries())
        await store().deployments.insert(deployment(`dep_0${index}`, { state, appId: index === 3 ? api.id : web.id }));
      const counts = await store().deployments.countByState();
      const key = (c: { appId: string; state: string }): string => `${c.appId} ${c.state}`;
      expect([...counts].sort((a, b) => key(a).localeCompare(key(b)))).toEqual(
        [
          { appId: api.id, environmentId: production.id, state: 'succeeded', count: 1 },
          { appId: web.id, environmentId: production.id, state: 'failed', count: 1 },
          { appId: web.id, environmentId: production.id, state: 'succeeded', count: 2 },
        ].sort((a, b) => key(a).localeCompare(key(b))),
      );
    });
  });

  describe('phases', () => {
    it('appends phases and lists them in seq order, per deployment, replacing one on update', async () => {
      await store().deployments.insert(deployment('dep_01'));
      await store().deployments.insert(deployment('dep_02'));
      await store().phases.append(phase('dep_01', 1));
      await store().phases.append(phase('dep_02', 1));
      const done = phase('dep_01', 1, { state: 'succeeded', finishedAtMs: t0 + 50, detail: 'fetched a1b2c3d' });
      await store().phases.update(done);
      const building = phase('dep_01', 2, { phase: 'build' });
      await store().phases.append(building);
      expect(await store().phases.list('dep_01')).toEqual([done, building]);
      expect(await store().phases.list('dep_02')).toEqual([phase('dep_02', 1)]);
      expect(await store().phases.list('dep_missing')).toEqual([]);
    });

    it('rejects a phase whose seq does not follow the last one', async () => {
      await store().deployments.insert(deployment('dep_01'));
      await expect(store().phases.append(phase('dep_01', 2))).rejects.toThrow();
      await store().phases.append(phase('dep_01', 1));
      await expect(store().phases.append(phase('dep_01', 1))).rejects.toThrow();
      await expect(store().phases.append(phase('dep_01', 3))).rejects.toThrow();
      expect(await store().phases.list('dep_01')).toEqual([phase('dep_01', 1)]);
    });
  });

  describe('instances', () => {
    it('round-trips an instance before and after it runs, and rejects updating a missing one', async () => {
      const starting = instance('ins_01');
      await store().instances.insert(starting);
      expect(await store().instances.findById('ins_01')).toEqual(starting);
      expect(await store().instances.findById('ins_missing')).toBeUndefined();
      const healthy = instance('ins_01', {
        deploymentId: 'dep_01',
        state: 'healthy',
        host: '127.0.0.1',
        port: 41_234,
        pid: 4242,
        restarts: 2,
        lastExitCode: 137,
        startedAtMs: t0 + 1,
        healthyAtMs: t0 + 2,
        restartAfterMs: t0 + 3,
        updatedAtMs: t0 + 4,
      });
      await store().instances.update(healthy);
      expect(await store().instances.findById('ins_01')).toEqual(healthy);
      expect((await rejection(store().instances.update(instance('ins_missing')))).code).toBe('INSTANCE_NOT_FOUND');
    });

    it('lists instances in creation order, filtered by whatever is given, and deletes one', async () => {
      const records = [
        instance('ins_03', { releaseId: 'rel_02' }),
        instance('ins_01'),
        instance('ins_02', { environmentId: staging.id }),
        instance('ins_04', { appId: api.id }),
      ];
      for (const record of records) await store().instances.insert(record);
      const ids = async (filter?: Parameters<Store['instances']['list']>[0]) =>
        (await store().instances.list(filter)).map((i) => i.id);
      expect(await ids()).toEqual(['ins_01', 'ins_02', 'ins_03', 'ins_04']);
      expect(await ids({})).toEqual(['ins_01', 'ins_02', 'ins_03', 'ins_04']);
      expect(await ids({ appId: web.id })).toEqual(['ins_01', 'ins_02', 'ins_03']);
      expect(await ids({ appId: web.id, environmentId: production.id })).toEqual(['ins_01', 'ins_03']);
      expect(await ids({ releaseId: 'rel_02' })).toEqual(['ins_03']);
      expect(await ids({ environmentId: staging.id })).toEqual(['ins_02']);

      await store().instances.delete('ins_01');
      await store().instances.delete('ins_missing');
      expect(await store().instances.findById('ins_01')).toBeUndefined();
      expect(await ids()).toEqual(['ins_02', 'ins_03', 'ins_04']);
    });
  });

  describe('routes', () => {
    it('replaces the routes of one app environment and leaves the others', async () => {
      const apiRoute = route('rte_09', {
        appId: api.id,
        host: 'api.example.com',
        timeoutMs: 30_000,
        origin: 'manifest',
      });
      await store().routes.replaceForApp(api.id, production.id, [apiRoute]);
      await store().routes.replaceForApp(web.id, production.id, [
        route('rte_01'),
        route('rte_02', { pathPrefix: '/admin' }),
      ]);
      const replaced = [
        route('rte_03', { process: 'admin', pathPrefix: '/admin', origin: 'manifest' }),
        route('rte_04'),
      ];
      await store().routes.replaceForApp(web.id, production.id, replaced);

      expect(byId(await store().routes.listByApp(web.id, production.id))).toEqual(replaced);
      expect(await store().routes.listByApp(web.id, staging.id)).toEqual([]);
      expect(byId(await store().routes.list())).toEqual([...replaced, apiRoute]);

      await store().routes.replaceForApp(web.id, production.id, []);
      expect(await store().routes.list()).toEqual([apiRoute]);
    });
  });

  describe('events', () => {
    it('assigns increasing seqs across deployments and round-trips the payload', async () => {
      await store().deployments.insert(deployment('dep_01'));
      await store().deployments.insert(deployment('dep_02'));
      const payload = { phase: 'build', state: 'running', detail: null, nested: { lines: ['a', 'b'], count: 2 } };
      const first = await store().events.append({ deploymentId: 'dep_01', type: 'phase', payload, atMs: t0 });
      const second = await store().events.append({
        deploymentId: 'dep_02',
        type: 'log',
        payload: { line: 'x' },
        atMs: t0 + 1,
      });
      const third = await store().events.append({
        deploymentId: 'dep_01',
        type: 'state',
        payload: { state: 'running', failure: null },
        atMs: t0 + 2,
      });
      expect(first).toEqual({ seq: first.seq, deploymentId: 'dep_01', type: 'phase', payload, atMs: t0 });
      expect(second.seq).toBeGreaterThan(first.seq);
      expect(third.seq).toBeGreaterThan(second.seq);
      expect(await store().events.list('dep_01', 0, 100)).toEqual([first, third]);
    });

    it('lists the events of one deployment after a seq, in order, at most limit', async () => {
      await store().deployments.insert(deployment('dep_01'));
      await store().deployments.insert(deployment('dep_02'));
      const appended = [];
      for (const n of [1, 2, 3, 4, 5]) {
        appended.push(
          await store().events.append({
            deploymentId: 'dep_01',
            type: 'log',
            payload: { line: `line ${n}` },
            atMs: t0 + n,
          }),
        );
        await store().events.append({ deploymentId: 'dep_02', type: 'log', payload: { line: 'other' }, atMs: t0 + n });
      }
      const [, second, third, fourth, fifth] = appended;
      expect(await store().events.list('dep_01', second?.seq ?? -1, 2)).toEqual([third, fourth]);
      expect(await store().events.list('dep_01', fourth?.seq ?? -1, 10)).toEqual([fifth]);
      expect(await store().events.list('dep_01', fifth?.seq ?? -1, 10)).toEqual([]);
    });
  });
}
