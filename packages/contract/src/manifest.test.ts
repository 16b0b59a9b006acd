import { describe, expect, it } from 'vitest';
import { manifestSchema } from './manifest.js';
import { manifestIssues, type ManifestIssue } from './manifest-issues.js';

function issuesOf(document: unknown): ManifestIssue[] {
  const parsed = manifestSchema.safeParse(document);
  return parsed.success ? [] : manifestIssues(parsed.error, document);
}

describe('manifest schema', () => {
  it('refuses unknown keys at every depth, naming the path and the key it most likely meant', () => {
    expect(issuesOf({ processes: { web: { command: 'x', replica: 2 } } })).toEqual([
      { path: 'processes.web.replica', message: 'unknown key "replica" (did you mean "replicas"?)' },
    ]);
    expect(issuesOf({ processes: { web: { healthcheck: { type: 'tcp' } } } })).toEqual([
      { path: 'processes.web.healthcheck', message: 'unknown key "healthcheck" (did you mean "healthCheck"?)' },
    ]);
    expect(issuesOf({ build: { comand: 'make' } })).toEqual([
      { path: 'build.comand', message: 'unknown key "comand" (did you mean "command"?)' },
    ]);
    // A process type's setting at the top level is refused too, saying where it goes.
    expect(issuesOf({ healthcheck: { type: 'http' } })).toEqual([
      {
        path: 'healthcheck',
        message:
          '"healthcheck" does not belong here: it is a setting of a process type: write it as processes.web.healthCheck (or under another type)',
      },
    ]);
    expect(issuesOf({ processes: { web: { healthCheck: { type: 'http', pth: '/up' } } } })).toEqual([
      { path: 'processes.web.healthCheck.pth', message: 'unknown key "pth" (did you mean "path"?)' },
    ]);
    expect(issuesOf({ routes: [{ host: 'a.localhost', pathPrefix: '/' }] })).toEqual([
      { path: 'routes.0.pathPrefix', message: 'unknown key "pathPrefix"' },
    ]);
    expect(issuesOf({ strategy: { type: 'rolling', maxsurge: 1 } })).toEqual([
      { path: 'strategy.maxsurge', message: 'unknown key "maxsurge" (did you mean "maxSurge"?)' },
    ]);
    expect(issuesOf({ strategy: { type: 'recreate', maxSurge: 1 } })).toEqual([
      {
        path: 'strategy.maxSurge',
        message:
          '"maxSurge" does not belong here: only a rolling strategy has maxSurge; remove it, or use type: rolling',
      },
    ]);
  });

  it('names every unknown key of one object in one issue', () => {
    expect(issuesOf({ build: { comand: 'make', foo: 1 } })).toEqual([
      { path: 'build', message: 'unknown key "comand" (did you mean "command"?); unknown key "foo"' },
    ]);
  });

  it('bounds rolling update figures and memory sizes', () => {
    expect(issuesOf({ strategy: { type: 'rolling', maxSurge: 1_000_000_000 } })).toHaveLength(1);
    expect(issuesOf({ strategy: { type: 'rolling', maxUnavailable: '1000%' } })).toHaveLength(1);
    expect(issuesOf({ strategy: { type: 'rolling', maxSurge: '101%' } })).toHaveLength(1);
    expect(issuesOf({ strategy: { type: 'rolling', maxSurge: 100, maxUnavailable: '100%' } })).toEqual([]);
    expect(issuesOf({ resources: { memory: '2TiB' } })).toEqual([
      { path: 'resources.memory', message: 'must be a size from 6 MiB to 1 TiB, like 256m or 1GiB' },
    ]);
    expect(issuesOf({ resources: { memory: '1GiB' } })).toEqual([]);
  });

  it('still accepts a complete valid manifest', () => {
    expect(
      issuesOf({
        runtime: 'process',
        build: { builder: 'node', command: 'npm run build' },
        processes: { web: { command: 'node server.js', replicas: 2, healthCheck: { type: 'http', path: '/health' } } },
        strategy: { type: 'rolling', maxSurge: 1, maxUnavailable: 0 },
        env: { MODE: 'production' },
        routes: [{ host: 'app.localhost', path: '/' }],
      }),
    ).toEqual([]);
  });
});
