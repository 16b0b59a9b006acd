/** Store contract, stacks part: stacks by name and repository, their deployments newest first, removal with them. */
import { describe, expect, it } from 'vitest';
import type { StackDeploymentRecord, StackRecord, Store } from '@slipway/core';
import { api, project, t0, web } from './store-contract-fixtures.js';

const fileStack = (over: Partial<StackRecord> = {}): StackRecord => ({
  id: 'stk_01',
  projectId: project.id,
  name: 'shop',
  runtime: 'docker',
  prefix: null,
  source: {
    kind: 'file',
    fileName: 'compose.yaml',
    composeDir: '/srv/shop',
    compose: 'services:\n  web:\n    image: busybox\n',
    variables: { GREETING: 'hello' },
    envFiles: { '/srv/shop/web.env': { A: '1' } },
  },
  services: [
    { service: 'api', app: api.name, appId: api.id, dependsOn: [], source: 'image busybox' },
    { service: 'web', app: web.name, appId: web.id, dependsOn: ['api'], source: 'build /srv/shop/web' },
  ],
  notices: [{ path: 'volumes', reason: 'ignored' }],
  createdAtMs: t0,
  updatedAtMs: t0,
  ...over,
});

const repositoryStack = (id: string, name: string, repositoryId: string): StackRecord =>
  fileStack({ id, name, source: { kind: 'repository', repositoryId, path: 'deploy/compose.yaml', ref: 'main' } });

const stackDeployment = (
  id: string,
  atMs: number,
  over: Partial<StackDeploymentRecord> = {},
): StackDeploymentRecord => ({
  id,
  stackId: 'stk_01',
  environment: 'production',
  kind: 'deploy',
  state: 'running',
  commit: null,
  ref: null,
  requestedBy: 'alice',
  services: [
    {
      service: 'api',
      app: 'api',
      dependsOn: [],
      source: { kind: 'image', image: 'busybox', manifest: { processes: { web: { command: 'httpd' } } } },
      deploymentId: 'dep_01',
      state: 'deploying',
      reason: null,
    },
    {
      service: 'web',
      app: 'web',
      dependsOn: ['api'],
      source: null,
      deploymentId: null,
      state: 'waiting',
      reason: null,
    },
  ],
  reason: null,
  createdAtMs: atMs,
  updatedAtMs: atMs,
  finishedAtMs: null,
  ...over,
});

/** Registers the stack tests; `store` returns the migrated, seeded store of the running test. */
export function describeStackContract(store: () => Store): void {
  describe('stacks', () => {
    it('stores a stack and finds it by id and by name, whole; refuses a second stack of the same name', async () => {
      await store().stacks.insert(fileStack());
      expect(await store().stacks.findById('stk_01')).toEqual(fileStack());
      expect(await store().stacks.findByName('shop')).toEqual(fileStack());
      expect(await store().stacks.findByName('absent')).toBeUndefined();
      await expect(store().stacks.insert(fileStack({ id: 'stk_02' }))).rejects.toMatchObject({
        code: 'STACK_ALREADY_EXISTS',
      });
    });

    it('replaces a stack in place, keeping its creation time, and lists stacks by name or by repository', async () => {
      await store().stacks.insert(fileStack());
      await store().stacks.insert(repositoryStack('stk_02', 'billing', 'repo_01'));
      await store().stacks.insert(repositoryStack('stk_03', 'admin', 'repo_01'));
      await store().stacks.insert(repositoryStack('stk_04', 'other', 'repo_02'));
      const updated = fileStack({ services: [], notices: [], updatedAtMs: t0 + 5, createdAtMs: t0 + 99 });
      await store().stacks.update(updated);
      expect(await store().stacks.findById('stk_01')).toEqual({ ...updated, createdAtMs: t0 });
      expect((await store().stacks.list()).map((s) => s.name)).toEqual(['admin', 'billing', 'other', 'shop']);
      expect((await store().stacks.listByRepository('repo_01')).map((s) => s.name)).toEqual(['admin', 'billing']);
      expect(await store().stacks.listByRepository('repo_09')).toEqual([]);
    });

    it('keeps deployments newest first, updates them whole, and lists the running ones oldest first', async () => {
      await store().stacks.insert(fileStack());
      await store().stacks.insertDeployment(stackDeployment('sdp_01', t0));
      await store().stacks.insertDeployment(stackDeployment('sdp_02', t0 + 10));
      await store().stacks.insertDeployment(stackDeployment('sdp_03', t0 + 20, { state: 'failed', reason: 'x' }));
      expect((await store().stacks.listDeployments('stk_01', 10)).map((d) => d.id)).toEqual([
        'sdp_03',
        'sdp_02',
        'sdp_01',
      ]);
      expect((await store().stacks.listDeployments('stk_01', 1)).map((d) => d.id)).toEqual(['sdp_03']);
      expect((await store().stacks.listRunningDeployments()).map((d) => d.id)).toEqual(['sdp_01', 'sdp_02']);
      const ended = stackDeployment('sdp_01', t0, {
        state: 'succeeded',
        commit: 'a'.repeat(40),
        ref: 'refs/heads/main',
        updatedAtMs: t0 + 30,
        finishedAtMs: t0 + 30,
      });
      await store().stacks.updateDeployment(ended);
      expect(await store().stacks.findDeployment('sdp_01')).toEqual(ended);
      expect((await store().stacks.listRunningDeployments()).map((d) => d.id)).toEqual(['sdp_02']);
      expect(await store().stacks.findDeployment('sdp_missing')).toBeUndefined();
    });

    it('removes a stack with its deployments; a second removal finds nothing', async () => {
      await store().stacks.insert(fileStack());
      await store().stacks.insertDeployment(stackDeployment('sdp_01', t0));
      expect(await store().stacks.delete('stk_01')).toBe(true);
      expect(await store().stacks.findById('stk_01')).toBeUndefined();
      expect(await store().stacks.findDeployment('sdp_01')).toBeUndefined();
      expect(await store().stacks.delete('stk_01')).toBe(false);
    });
  });
}
