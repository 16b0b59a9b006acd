/**
 * The apps overview over a real SQLite store: each status as judged from the records and the health monitor's
 * observations (`unknown` once unobserved for three probe intervals), and one page of 2,000 apps, searched and
 * sorted, within its size budget.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSqliteStore } from '@slipway/adapters';
import {
  readAppsOverview,
  ReleaseSummaries,
  type AppsOverviewDeps,
  type DeploymentRecord,
  type InstanceRecord,
  type Repositories,
  type Store,
} from '@slipway/core';

const t0 = 1_780_000_000_000;
const probeIntervalMs = 2_000;

describe('the apps overview', () => {
  let dir: string;
  let store: Store;
  let nowMs: number;
  const observed = new Map<string, number>();

  const deps = (): AppsOverviewDeps => ({
    store,
    settings: { crashLoopRestarts: 3, reconcileIntervalMs: 500 },
    clock: { nowMs: () => nowMs },
    observations: (id) => {
      const atMs = observed.get(id);
      return atMs === undefined ? undefined : { atMs, intervalMs: probeIntervalMs };
    },
    releases: new ReleaseSummaries(),
  });

  const instance = (id: string, appId: string, over: Partial<InstanceRecord> = {}): InstanceRecord => ({
    id,
    appId,
    environmentId: 'env_prod',
    releaseId: `rel_${appId}`,
    deploymentId: null,
    process: 'web',
    state: 'healthy',
    host: '127.0.0.1',
    port: 4000,
    pid: 100,
    restarts: 0,
    lastExitCode: null,
    startedAtMs: t0,
    healthyAtMs: t0,
    restartAfterMs: null,
    updatedAtMs: t0,
    runtime: 'process',
    limits: null,
    lastExitReason: null,
    ...over,
  });

  const deployment = (id: string, appId: string, over: Partial<DeploymentRecord> = {}): DeploymentRecord => ({
    id,
    appId,
    environmentId: 'env_prod',
    kind: 'deploy',
    state: 'succeeded',
    phase: null,
    source: { kind: 'path', path: '/srv/app' },
    sourceView: null,
    releaseId: `rel_${appId}`,
    previousReleaseId: null,
    config: null,
    failure: null,
    cancellation: null,
    createdAtMs: t0,
    updatedAtMs: t0,
    finishedAtMs: t0 + 1,
    ...over,
  });

  /** An app with one release asking for `replicas` web instances, deployed once. */
  async function seedApp(
    name: string,
    options: { replicas?: number; isDeployed?: boolean } = {},
    repos: Repositories = store,
  ): Promise<string> {
    const appId = `app_${name}`;
    await repos.apps.insert({ id: appId, projectId: 'prj_acme', name, createdAtMs: t0 });
    const isDeployed = options.isDeployed ?? true;
    if (isDeployed) {
      await repos.releases.insert({
        id: `rel_${appId}`,
        appId,
        environmentId: 'env_prod',
        number: 1,
        artifactDir: `/releases/${appId}`,
        builder: 'node',
        image: null,
        source: { kind: 'git', url: 'https://git.example/acme.git', ref: 'main', commit: 'c0ffee1' },
        processes: { web: { command: 'node server.js' } },
        runtimePrefix: null,
        manifest: {},
        config: {},
        configVars: {},
        createdAtMs: t0,
      });
      await repos.deployments.insert(deployment(`dep_${appId}_1`, appId));
    }
    await repos.appEnvironments.insert({
      appId,
      environmentId: 'env_prod',
      currentReleaseId: isDeployed ? `rel_${appId}` : null,
      scale: { web: options.replicas ?? 1 },
      config: {},
      runState: 'running',
      maintenance: null,
      version: 1,
      updatedAtMs: t0,
    });
    return appId;
  }

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slipway-apps-overview-'));
    store = await createSqliteStore({ file: join(dir, 'slipway.db') });
    await store.migrate();
    await store.projects.insert({ id: 'prj_acme', name: 'acme', createdAtMs: t0 });
    await store.environments.insert({ id: 'env_prod', projectId: 'prj_acme', name: 'production', createdAtMs: t0 });
    nowMs = t0 + 1_000;
    observed.clear();
  });

  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('judges each status from the records and the last observation', async () => {
    const running = await seedApp('running', { replicas: 2 });
    for (const id of ['i_r1', 'i_r2']) await store.instances.insert(instance(id, running));
    const starting = await seedApp('starting', { replicas: 2 });
    await store.instances.insert(instance('i_s1', starting));
    const degraded = await seedApp('degraded');
    await store.instances.insert(instance('i_d1', degraded, { state: 'unhealthy' }));
    const crashing = await seedApp('crashing');
    await store.instances.insert(instance('i_c1', crashing, { state: 'crashed', restarts: 5, healthyAtMs: null }));
    const deploying = await seedApp('deploying');
    await store.deployments.insert(deployment('dep_new', deploying, { state: 'running', createdAtMs: t0 + 5 }));
    await seedApp('idle', { replicas: 0 });
    await seedApp('fresh', { isDeployed: false });
    for (const id of ['i_r1', 'i_r2', 'i_s1', 'i_d1']) observed.set(id, nowMs - 100);

    const statuses = async () =>
      Object.fromEntries(
        (await readAppsOverview(deps(), { project: 'acme', ...defaults })).apps.map((row) => [row.name, row.status]),
      );
    expect(await statuses()).toEqual({
      crashing: 'crashing',
      degraded: 'degraded',
      deploying: 'deploying',
      fresh: 'not-deployed',
      idle: 'stopped',
      running: 'running',
      starting: 'starting',
    });

    // Three probe intervals without a look at one of its instances: what it last said is no longer believed.
    nowMs += 3 * probeIntervalMs;
    observed.set('i_r1', nowMs);
    const page = await readAppsOverview(deps(), { project: 'acme', ...defaults, search: 'RUN' });
    expect(page.apps).toEqual([
      {
        name: 'running',
        status: 'unknown',
        observedAt: new Date(t0 + 900).toISOString(),
        staleAfterMs: 3 * probeIntervalMs,
        release: { number: 1, commit: 'c0ffee1', imageDigest: null, createdAt: new Date(t0).toISOString() },
        instances: { total: 2, healthy: 2, starting: 0, unhealthy: 0, crashed: 0, crashLooping: 0, desired: 2 },
        lastDeployment: {
          id: `dep_${running}_1`,
          kind: 'deploy',
          state: 'succeeded',
          createdAt: new Date(t0).toISOString(),
          finishedAt: new Date(t0 + 1).toISOString(),
        },
      },
    ]);
  });

  it('answers one page of 2,000 apps, searched and sorted, in under 100 kB', async () => {
    await store.transaction(async (tx) => {
      for (let n = 0; n < 2_000; n += 1) {
        const appId = await seedApp(`app-${String(n).padStart(4, '0')}`, { replicas: 2 }, tx);
        for (const i of [1, 2]) {
          await tx.instances.insert(instance(`i_${n}_${i}`, appId, { state: n % 7 === 0 ? 'unhealthy' : 'healthy' }));
        }
        await tx.deployments.insert(deployment(`dep_${appId}_2`, appId, { createdAtMs: t0 + n }));
      }
    });
    const overview = deps();
    const first = await readAppsOverview(overview, { project: 'acme', ...defaults });
    expect(first.total).toBe(2_000);
    expect(first.apps.map((row) => row.name)).toEqual(
      Array.from({ length: 50 }, (_, n) => `app-${String(n).padStart(4, '0')}`),
    );
    expect(first.apps[1]?.lastDeployment?.id).toBe('dep_app_app-0001_2');
    expect(Buffer.byteLength(JSON.stringify(first))).toBeLessThan(100_000);
    const searched = await readAppsOverview(overview, { project: 'acme', ...defaults, search: '-01', limit: 200 });
    expect(searched.total).toBe(100);
    const degradedFirst = await readAppsOverview(overview, { project: 'acme', ...defaults, sort: 'status' });
    expect(degradedFirst.apps.every((row) => row.status === 'degraded')).toBe(true);
    expect(degradedFirst.total).toBe(2_000);
    const newest = await readAppsOverview(overview, {
      project: 'acme',
      ...defaults,
      sort: 'last-deployment',
      order: 'desc',
      limit: 1,
      offset: 0,
    });
    expect(newest.apps[0]?.name).toBe('app-1999');
  }, 120_000);
});

const defaults = { environment: 'production', sort: 'name', order: 'asc', limit: 50, offset: 0 } as const;
