/** Store contract, catalog part: projects, environments, apps, app environments and releases. */
import { describe, expect, it } from 'vitest';
import type { AppEnvironmentRecord, AppRecord, EnvironmentRecord, Store } from '@slipway/core';
import {
  api,
  appEnvironment,
  byId,
  otherProject,
  populate,
  production,
  project,
  rejection,
  release,
  route,
  staging,
  t0,
  web,
} from './store-contract-fixtures.js';

/** Registers the catalog tests; `store` returns the migrated, seeded store of the running test. */
export function describeCatalogContract(store: () => Store): void {
  describe('projects', () => {
    it('finds a project by id and by name, and lists every project', async () => {
      await store().projects.insert(otherProject);
      expect(await store().projects.findById(project.id)).toEqual(project);
      expect(await store().projects.findByName('globex')).toEqual(otherProject);
      expect(await store().projects.findById('prj_missing')).toBeUndefined();
      expect(await store().projects.findByName('missing')).toBeUndefined();
      expect(byId(await store().projects.list())).toEqual([project, otherProject]);
    });

    it('rejects a taken project name with VALIDATION_FAILED and details.conflict, storing nothing', async () => {
      const error = await rejection(store().projects.insert({ id: 'prj_03', name: 'acme', createdAtMs: t0 }));
      expect(error.code).toBe('VALIDATION_FAILED');
      expect(error.details?.['conflict']).toBeDefined();
      expect(await store().projects.findById('prj_03')).toBeUndefined();
    });
  });

  describe('environments', () => {
    it('finds an environment by project and name and by id, and lists those of one project', async () => {
      await store().projects.insert(otherProject);
      const theirs: EnvironmentRecord = {
        id: 'env_03',
        projectId: otherProject.id,
        name: 'production',
        createdAtMs: t0,
      };
      await store().environments.insert(theirs);
      expect(await store().environments.find(project.id, 'production')).toEqual(production);
      expect(await store().environments.find(otherProject.id, 'production')).toEqual(theirs);
      expect(await store().environments.find(project.id, 'missing')).toBeUndefined();
      expect(await store().environments.findById(staging.id)).toEqual(staging);
      expect(await store().environments.findById('env_missing')).toBeUndefined();
      expect(byId(await store().environments.listByProject(project.id))).toEqual([production, staging]);
      expect(await store().environments.listByProject(otherProject.id)).toEqual([theirs]);
    });
  });

  describe('apps', () => {
    it('finds an app by id and by name', async () => {
      expect(await store().apps.findById(web.id)).toEqual(web);
      expect(await store().apps.findByName('api')).toEqual(api);
      expect(await store().apps.findById('app_missing')).toBeUndefined();
      expect(await store().apps.findByName('missing')).toBeUndefined();
    });

    it('lists apps ordered by name', async () => {
      const zeta: AppRecord = { id: 'app_00', projectId: project.id, name: 'zeta', createdAtMs: t0 - 1 };
      await store().apps.insert(zeta);
      expect(await store().apps.list()).toEqual([api, web, zeta]);
    });

    it('rejects a taken name with APP_ALREADY_EXISTS, even from another project', async () => {
      await store().projects.insert(otherProject);
      const error = await rejection(
        store().apps.insert({ id: 'app_03', projectId: otherProject.id, name: 'web', createdAtMs: t0 }),
      );
      expect(error.code).toBe('APP_ALREADY_EXISTS');
      expect(await store().apps.findById('app_03')).toBeUndefined();
    });

    it('deletes an app with everything under it and leaves other apps alone', async () => {
      const gone = await populate(store(), web, 'web');
      const kept = await populate(store(), api, 'api');

      await store().apps.delete(web.id);

      expect(await store().apps.findById(web.id)).toBeUndefined();
      expect(await store().appEnvironments.listByApp(web.id)).toEqual([]);
      expect(await store().releases.findById(gone.release)).toBeUndefined();
      expect(await store().deployments.findById(gone.deployment)).toBeUndefined();
      expect(await store().phases.list(gone.deployment)).toEqual([]);
      expect(await store().events.list(gone.deployment, 0, 100)).toEqual([]);
      expect(await store().instances.list({ appId: web.id })).toEqual([]);
      expect(await store().routes.listByApp(web.id, production.id)).toEqual([]);
      expect(await store().jobs.findByDeployment(gone.deployment)).toBeUndefined();

      expect(await store().apps.findById(api.id)).toEqual(api);
      expect(await store().appEnvironments.listByApp(api.id)).toHaveLength(1);
      expect(await store().releases.findById(kept.release)).toBeDefined();
      expect(await store().phases.list(kept.deployment)).toHaveLength(1);
      expect(await store().events.list(kept.deployment, 0, 100)).toHaveLength(1);
      expect(await store().instances.list({ appId: api.id })).toHaveLength(1);
      expect(await store().routes.list()).toEqual([route(kept.route, { appId: api.id, host: 'api.example.com' })]);
      expect(await store().jobs.findByDeployment(kept.deployment)).toBeDefined();

      await store().apps.delete(web.id);
      await store().apps.insert({ ...web, id: 'app_03' });
      expect((await store().apps.findByName('web'))?.id).toBe('app_03');
    });
  });

  describe('app environments', () => {
    it('round-trips scale, config and a null current release, and lists by app and in total', async () => {
      const webProduction = appEnvironment();
      const webStaging = appEnvironment({
        environmentId: staging.id,
        currentReleaseId: 'rel_09',
        scale: {},
        config: {},
      });
      const apiProduction = appEnvironment({ appId: api.id });
      for (const record of [webProduction, webStaging, apiProduction]) await store().appEnvironments.insert(record);

      expect(await store().appEnvironments.find(web.id, production.id)).toEqual(webProduction);
      expect(await store().appEnvironments.find(web.id, staging.id)).toEqual(webStaging);
      expect(await store().appEnvironments.find(api.id, staging.id)).toBeUndefined();
      const key = (r: AppEnvironmentRecord) => `${r.appId}/${r.environmentId}`;
      const sorted = (records: AppEnvironmentRecord[]) => records.sort((a, b) => (key(a) < key(b) ? -1 : 1));
      expect(sorted(await store().appEnvironments.listByApp(web.id))).toEqual([webProduction, webStaging]);
      expect(sorted(await store().appEnvironments.list())).toEqual([webProduction, webStaging, apiProduction]);
    });

    it('stores version + 1 on update (run state and maintenance included) and returns what it stored', async () => {
      await store().appEnvironments.insert(appEnvironment());
      const change = appEnvironment({
        currentReleaseId: 'rel_01',
        scale: { web: 3 },
        config: { A: '1' },
        runState: 'stopped',
        maintenance: { retryAfterSeconds: 120, page: '<h1>Back soon</h1>' },
        updatedAtMs: t0 + 5,
      });
      const stored = await store().appEnvironments.update(change);
      expect(stored).toEqual({ ...change, version: 2 });
      expect(await store().appEnvironments.find(web.id, production.id)).toEqual(stored);
      expect(await store().appEnvironments.update(stored)).toEqual({ ...change, version: 3 });
    });

    it('rejects an update from a stale version with VERSION_CONFLICT, keeping the first writer', async () => {
      await store().appEnvironments.insert(appEnvironment());
      const first = await store().appEnvironments.update(appEnvironment({ scale: { web: 5 } }));
      const error = await rejection(store().appEnvironments.update(appEnvironment({ scale: { web: 9 } })));
      expect(error.code).toBe('VERSION_CONFLICT');
      expect(await store().appEnvironments.find(web.id, production.id)).toEqual(first);
    });
  });

  describe('releases', () => {
    it('round-trips a release with its source, processes, manifest and config', async () => {
      const first = release('rel_01', 1);
      const second = release('rel_02', 2, {
        source: { kind: 'archive', fileName: 'web.tar.gz', sizeBytes: 5_000_000_000 },
        manifest: {},
        config: {},
      });
      await store().releases.insert(first);
      await store().releases.insert(second);
      expect(await store().releases.findById('rel_01')).toEqual(first);
      expect(await store().releases.findByNumber(web.id, production.id, 2)).toEqual(second);
      expect(await store().releases.findByNumber(web.id, staging.id, 2)).toBeUndefined();
      expect(await store().releases.findById('rel_missing')).toBeUndefined();
    });

    it('lists releases newest first, per app and environment', async () => {
      await store().releases.insert(release('rel_01', 1));
      await store().releases.insert(release('rel_02', 2));
      await store().releases.insert(release('rel_03', 3));
      await store().releases.insert(release('rel_04', 1, { environmentId: staging.id }));
      await store().releases.insert(release('rel_05', 1, { appId: api.id }));
      const numbers = (await store().releases.list(web.id, production.id)).map((r) => r.id);
      expect(numbers).toEqual(['rel_03', 'rel_02', 'rel_01']);
      expect(await store().releases.list(web.id, staging.id)).toHaveLength(1);
    });

    it('lists the releases of the ids given, leaving out those that do not exist', async () => {
      await store().releases.insert(release('rel_01', 1));
      await store().releases.insert(release('rel_02', 2));
      await store().releases.insert(release('rel_03', 1, { appId: api.id }));
      const found = await store().releases.listByIds(['rel_03', 'rel_01', 'rel_missing']);
      expect(found.map((r) => r.id).sort()).toEqual(['rel_01', 'rel_03']);
      expect(found.find((r) => r.id === 'rel_01')).toEqual(release('rel_01', 1));
      expect(await store().releases.listByIds([])).toEqual([]);
    });

    it('numbers from 1 per app environment and never reuses a number, even after deletes', async () => {
      expect(await store().releases.nextNumber(web.id, production.id)).toBe(1);
      await store().releases.insert(release('rel_01', 1));
      await store().releases.insert(release('rel_02', 2));
      expect(await store().releases.nextNumber(web.id, production.id)).toBe(3);
      expect(await store().releases.nextNumber(web.id, staging.id)).toBe(1);
      expect(await store().releases.nextNumber(api.id, production.id)).toBe(1);

      await store().releases.delete('rel_02');
      expect(await store().releases.findById('rel_02')).toBeUndefined();
      expect(await store().releases.nextNumber(web.id, production.id)).toBe(3);
      await store().releases.delete('rel_01');
      expect(await store().releases.list(web.id, production.id)).toEqual([]);
      expect(await store().releases.nextNumber(web.id, production.id)).toBe(3);
    });

    it('rejects a release whose number was already used with VERSION_CONFLICT', async () => {
      await store().releases.insert(release('rel_01', 1));
      expect((await rejection(store().releases.insert(release('rel_02', 1)))).code).toBe('VERSION_CONFLICT');
      await store().releases.delete('rel_01');
      expect((await rejection(store().releases.insert(release('rel_03', 1)))).code).toBe('VERSION_CONFLICT');
      expect(await store().releases.findById('rel_03')).toBeUndefined();
    });
  });
}
