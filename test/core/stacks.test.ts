/**
 * Stacks in core over a real SQLite store: a compose file becomes apps of one project, and a stack deployment
 * inserts one deployment per service in depends_on order — a service's only once what it depends on succeeded —
 * skips the dependents of a failure, and rolls each service back to its previous release. Deployment runs are
 * stood in for by writing their end state, so each pass of the stack deployment is observed on its own.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  advanceStackDeployment,
  advanceStackDeployments,
  deployStack,
  getStack,
  putStack,
  removeStack,
  rollbackStack,
  stackView,
  type DeploymentRecord,
  type StackDeploymentRecord,
} from '@slipway/core';
import { createCoreHarness, type CoreHarness } from './core-harness.js';

const compose = `
name: shop
services:
  web:
    image: local/web:1
    depends_on: [api]
    ports: ['8080:3000']
  api:
    image: local/api:1
    expose: ['8080']
    depends_on:
      db: { condition: service_healthy }
  db:
    image: local/db:1
    expose: ['5432']
    environment: [DB_PASSWORD]
    volumes: ['data:/var/lib/db']
  worker:
    image: local/worker:\${WORKER_TAG:-1}
    depends_on: [db]
`;

const fileSource = (text = compose) => ({
  kind: 'file' as const,
  fileName: 'compose.yaml',
  composeDir: '/srv/shop',
  compose: text,
  variables: { DB_PASSWORD: 'sentinel-password', WORKER_TAG: '7' },
  envFiles: {},
});

describe('stacks', () => {
  let harness: CoreHarness;

  beforeEach(async () => {
    harness = await createCoreHarness({ isReconcilerRunning: false });
  });

  afterEach(async () => {
    await harness.close();
  });

  const create = () =>
    putStack(harness.deps, { name: 'shop', project: 'shop', runtime: 'docker', source: fileSource() });

  async function deploymentOf(record: StackDeploymentRecord, service: string): Promise<DeploymentRecord> {
    const id = record.services.find((s) => s.service === service)?.deploymentId;
    const deployment = id === null || id === undefined ? undefined : await harness.store.deployments.findById(id);
    if (deployment === undefined) throw new Error(`${service} has no deployment`);
    return deployment;
  }

  /** Ends the service's deployment as its run would, and advances the stack deployment once. */
  async function end(record: StackDeploymentRecord, service: string, state: 'succeeded' | 'failed') {
    const deployment = await deploymentOf(record, service);
    const failure =
      state === 'failed'
        ? { phase: 'rollout' as const, code: 'HEALTH_CHECK_FAILED' as const, reason: 'no answer' }
        : null;
    await harness.store.deployments.update({ ...deployment, state, failure, finishedAtMs: Date.now() });
    const next = await advanceStackDeployment(harness.deps, record.id);
    if (next === undefined) throw new Error('stack deployment gone');
    return next;
  }

  const states = (record: StackDeploymentRecord) =>
    Object.fromEntries(record.services.map((s) => [s.service, s.state]));

  it('creates the project and an app per service, in deployment order, with what does not carry over listed', async () => {
    const { stack, isCreated } = await create();

    expect(isCreated).toBe(true);
    expect(stack.services.map((s) => [s.service, s.dependsOn])).toEqual([
      ['db', []],
      ['worker', ['db']],
      ['api', ['db']],
      ['web', ['api']],
    ]);
    expect(stack.services.find((s) => s.service === 'worker')?.source).toBe('image local/worker:7');
    expect((await harness.store.apps.list()).map((a) => a.name).sort()).toEqual(['api', 'db', 'web', 'worker']);
    expect(stack.notices.map((n) => n.path)).toContain('services.db.volumes');
    const view = await stackView(harness.deps, stack, 'production');
    expect(view.status).toBe('not-deployed');
    expect(view.services.every((s) => s.health === 'not-deployed')).toBe(true);

    const again = await create();
    expect(again.isCreated).toBe(false);
    expect(again.stack.id).toBe(stack.id);
  });

  it('refuses a service whose app belongs to another project, before creating anything', async () => {
    await harness.createApp('api');
    await expect(create()).rejects.toMatchObject({ code: 'COMPOSE_INVALID' });
    expect(await harness.store.stacks.findByName('shop')).toBeUndefined();
    expect(await harness.store.apps.findByName('db')).toBeUndefined();
  });

  it('deploys each service only after what it depends on succeeded, in one deployment per service', async () => {
    const { stack } = await create();

    let record = await deployStack(harness.deps, stack.id, undefined, { requestedBy: 'alice' });
    expect(states(record)).toEqual({ db: 'deploying', api: 'waiting', web: 'waiting', worker: 'waiting' });
    const db = await deploymentOf(record, 'db');
    expect(db).toMatchObject({ kind: 'deploy', state: 'pending', requestedBy: 'alice' });
    expect(db.source).toMatchObject({
      kind: 'image',
      image: 'local/db:1',
      manifest: { env: { DB_PASSWORD: 'sentinel-password' } },
    });
    await expect(deployStack(harness.deps, stack.id)).rejects.toMatchObject({ code: 'DEPLOYMENT_IN_PROGRESS' });

    record = await end(record, 'db', 'succeeded');
    expect(states(record)).toEqual({ db: 'succeeded', api: 'deploying', web: 'waiting', worker: 'deploying' });
    expect(await deploymentOf(record, 'api')).toMatchObject({ state: 'pending', source: { image: 'local/api:1' } });

    record = await end(record, 'api', 'succeeded');
    expect(states(record)).toMatchObject({ web: 'deploying' });
    record = await end(record, 'worker', 'succeeded');
    record = await end(record, 'web', 'succeeded');
    expect(record.state).toBe('succeeded');
    expect(record.finishedAtMs).not.toBeNull();
    const view = await stackView(harness.deps, await getStack(harness.deps, 'shop'), 'production');
    expect(view.lastDeployment?.state).toBe('succeeded');
  });

  it('is carried on by the pass of a restarted control plane, from what the store says', async () => {
    const { stack } = await create();
    const record = await deployStack(harness.deps, stack.id);
    const db = await deploymentOf(record, 'db');
    await harness.store.deployments.update({ ...db, state: 'succeeded', finishedAtMs: Date.now() });

    const restarted = harness.restartControlPlane();
    await advanceStackDeployments(restarted.deps);

    const carried = await harness.store.stacks.findDeployment(record.id);
    expect(carried === undefined ? {} : states(carried)).toEqual({
      db: 'succeeded',
      worker: 'deploying',
      api: 'deploying',
      web: 'waiting',
    });
  });

  it('skips the dependents of a failed service, lets the others finish, and fails the stack deployment naming it', async () => {
    const { stack } = await create();
    let record = await deployStack(harness.deps, stack.id);
    record = await end(record, 'db', 'succeeded');
    record = await end(record, 'api', 'failed');

    expect(states(record)).toEqual({ db: 'succeeded', api: 'failed', web: 'skipped', worker: 'deploying' });
    expect(record.state).toBe('running');
    expect(record.services.find((s) => s.service === 'api')?.reason).toMatch(/failed: no answer$/);
    expect(record.services.find((s) => s.service === 'web')?.reason).toBe('api did not deploy');

    record = await end(record, 'worker', 'succeeded');
    expect(record).toMatchObject({ state: 'failed', reason: 'failed: api' });
    expect((await stackView(harness.deps, stack, 'production')).status).toBe('failed');
    // Advancing an ended stack deployment changes nothing.
    expect(await advanceStackDeployment(harness.deps, record.id)).toEqual(record);
  });

  it('rolls each service back to its previous release in dependency order, skipping one with nothing to roll back to', async () => {
    const { stack } = await create();
    const project = await harness.store.projects.findByName('shop');
    const environment = await harness.store.environments.find(project?.id ?? '', 'production');
    for (const service of stack.services) {
      const releases = service.service === 'worker' ? [1] : [1, 2];
      for (const number of releases) {
        const id = `rel_${service.service}_${number}`;
        await harness.store.releases.insert({
          id,
          appId: service.appId,
          environmentId: environment?.id ?? '',
          number,
          artifactDir: `/tmp/${id}`,
          builder: 'image',
          source: { kind: 'image', image: `local/${service.service}:${number}` },
          processes: { web: { command: 'serve' } },
          runtimePrefix: null,
          manifest: { processes: {} } as never,
          config: {},
          configVars: {},
          createdAtMs: number,
        } as never);
      }
      const appEnvironment = await harness.store.appEnvironments.find(service.appId, environment?.id ?? '');
      if (appEnvironment !== undefined)
        await harness.store.appEnvironments.update({
          ...appEnvironment,
          currentReleaseId: `rel_${service.service}_${releases.length}`,
        });
    }

    let record = await rollbackStack(harness.deps, stack.id);
    expect(record.kind).toBe('rollback');
    expect(states(record)).toEqual({ db: 'deploying', api: 'waiting', web: 'waiting', worker: 'skipped' });
    expect(record.services.find((s) => s.service === 'worker')?.reason).toBe('no release older than 1');
    expect(await deploymentOf(record, 'db')).toMatchObject({
      kind: 'rollback',
      source: { kind: 'release', releaseId: 'rel_db_1' },
    });
    record = await end(record, 'db', 'succeeded');
    expect(await deploymentOf(record, 'api')).toMatchObject({ source: { releaseId: 'rel_api_1' } });
  });

  it('removes a stack with its apps, or keeps them', async () => {
    await create();
    await removeStack(harness.deps, harness.fleet, { name: 'shop', isRemovingApps: false });
    expect(await harness.store.stacks.findByName('shop')).toBeUndefined();
    expect((await harness.store.apps.list()).map((a) => a.name)).toHaveLength(4);

    await create();
    const { removedApps } = await removeStack(harness.deps, harness.fleet, { name: 'shop', isRemovingApps: true });
    expect(removedApps).toEqual(['web', 'api', 'worker', 'db']);
    expect(await harness.store.apps.list()).toEqual([]);
    await expect(getStack(harness.deps, 'shop')).rejects.toMatchObject({ code: 'STACK_NOT_FOUND' });
  });

  it('refuses an invalid compose file with every problem named, storing nothing', async () => {
    const text = 'services:\n  a:\n    image: x\n    depends_on: [b]\n  b:\n    image: y\n    depends_on: [a]\n';
    const refused = putStack(harness.deps, {
      name: 'loop',
      project: 'loop',
      runtime: 'docker',
      source: fileSource(text),
    });
    await expect(refused).rejects.toMatchObject({ code: 'COMPOSE_INVALID' });
    await expect(refused).rejects.toThrow(/depends_on makes a cycle: a → b → a/);
    expect(await harness.store.stacks.findByName('loop')).toBeUndefined();
  });
});
