import { describe, expect, it } from 'vitest';
import type { GitRepositoryRecord } from '../git/git-repository-records.js';
import { planCompose, planServices, repositoryComposeInput } from './stack-plans.js';

const repository: GitRepositoryRecord = {
  id: 'repo_shop',
  projectId: 'prj_1',
  name: 'shop',
  provider: 'github',
  url: 'https://github.example/acme/shop.git',
  authKind: 'none',
  publicKey: null,
  credential: null,
  createdAtMs: 0,
  updatedAtMs: 0,
};
const commit = 'a'.repeat(40);
const context = { stackName: 'shop', prefix: null, runtime: 'docker' as const, environment: 'production' };
const at = { repository, ref: 'refs/heads/main', commit };

describe('planning a repository stack', () => {
  it("builds each service at its build context's directory of the checkout (the root for build: .)", () => {
    const compose =
      'services:\n  web:\n    build: ./services/web\n  api:\n    build: .\n  cache:\n    image: redis:7\n';
    const planned = planCompose(repositoryComposeInput('deploy/compose.yaml', compose), context);
    const { services } = planServices(planned, { kind: 'repository', at });
    const sources = Object.fromEntries(services.map((s) => [s.plan.service, s.source]));
    // The compose file's directory is deploy/: its build contexts are relative to it, as docker compose reads them.
    expect(sources.web).toMatchObject({
      kind: 'repository',
      commit,
      ref: 'refs/heads/main',
      path: 'deploy/services/web',
    });
    expect(sources.api).toMatchObject({ kind: 'repository', commit, path: 'deploy' });
    expect(sources.cache).toMatchObject({ kind: 'image', image: 'redis:7' });
  });

  it('keeps a build context at the root without a path, and one above the root inside the repository', () => {
    const root = planCompose(repositoryComposeInput('compose.yaml', 'services:\n  web:\n    build: .\n'), context);
    const [web] = planServices(root, { kind: 'repository', at }).services;
    expect(web?.source).not.toHaveProperty('path');
    // A context above the root stays inside the repository (the root is as high as paths go), never outside it.
    const above = planCompose(repositoryComposeInput('compose.yaml', 'services:\n  web:\n    build: ../up\n'), context);
    expect(planServices(above, { kind: 'repository', at }).services[0]?.source).toMatchObject({ path: 'up' });
  });
});
