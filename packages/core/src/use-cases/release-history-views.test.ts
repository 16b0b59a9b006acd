import { describe, expect, it } from 'vitest';
import type { DeploymentRecord, ReleaseRecord } from '../domain/records.js';
import { changedConfigKeys, configHashOf, releaseHistoryViews } from './release-history-views.js';

const release = (number: number, config: Record<string, string>): ReleaseRecord => ({
  id: `rel_${number}`,
  appId: 'app_1',
  environmentId: 'env_1',
  number,
  artifactDir: `/artifacts/${number}`,
  builder: 'node',
  source: { kind: 'path', path: '/src' },
  processes: { web: { command: 'node server.js' } },
  runtimePrefix: null,
  manifest: {},
  config,
  configVars: config,
  createdAtMs: number * 1_000,
  image: null,
});

const deployment = (
  id: string,
  kind: DeploymentRecord['kind'],
  releaseId: string,
  createdAtMs: number,
  extra: Partial<DeploymentRecord> = {},
): DeploymentRecord => ({
  id,
  appId: 'app_1',
  environmentId: 'env_1',
  kind,
  state: 'succeeded',
  phase: null,
  source: { kind: 'release', releaseId },
  sourceView: null,
  releaseId,
  previousReleaseId: null,
  config: null,
  failure: null,
  cancellation: null,
  createdAtMs,
  updatedAtMs: createdAtMs,
  finishedAtMs: createdAtMs,
  ...extra,
});

describe('release history views', () => {
  it('hashes a config snapshot whatever the order of its keys, and tells two snapshots apart', () => {
    expect(configHashOf({ A: '1', B: '2' })).toBe(configHashOf({ B: '2', A: '1' }));
    expect(configHashOf({ A: '1' })).not.toBe(configHashOf({ A: '2' }));
    expect(configHashOf({ A: '1' })).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('names the keys added, removed and changed, never their values', () => {
    expect(changedConfigKeys({ KEEP: 'x', GONE: 'y', EDIT: 'old' }, { KEEP: 'x', EDIT: 'new', NEW: 'z' })).toEqual([
      'EDIT',
      'GONE',
      'NEW',
    ]);
  });

  it('gives each release the deployment that made it, not the rollback that brought it back', () => {
    const releases = [
      release(3, { A: '1', B: '3' }),
      release(2, { A: '1', B: '2', SECRET_LIKE: 'value-sentinel' }),
      release(1, { A: '1' }),
    ];
    const deployments = [
      deployment('dep_4', 'rollback', 'rel_2', 4_000, { requestedBy: 'carol' }),
      deployment('dep_3', 'config', 'rel_3', 3_000, { requestedBy: 'bob', state: 'failed' }),
      deployment('dep_2', 'deploy', 'rel_2', 2_000, { requestedBy: 'alice' }),
      deployment('dep_r', 'restart', 'rel_2', 2_500),
    ];
    const views = releaseHistoryViews(releases, deployments, { app: 'web', environment: 'production' }, 'rel_2');
    expect(views.map((v) => [v.number, v.madeBy, v.changedConfigKeys, v.configKeysDifferingFromCurrent])).toEqual([
      [
        3,
        { deploymentId: 'dep_3', kind: 'config', state: 'failed', requestedBy: 'bob' },
        ['B', 'SECRET_LIKE'],
        ['B', 'SECRET_LIKE'],
      ],
      [
        2,
        { deploymentId: 'dep_2', kind: 'deploy', state: 'succeeded', requestedBy: 'alice' },
        ['B', 'SECRET_LIKE'],
        [],
      ],
      [1, null, ['A'], ['B', 'SECRET_LIKE']],
    ]);
    expect(JSON.stringify(views)).not.toContain('value-sentinel');
  });

  it('compares a release with the one it replaced, not with a failed one numbered between them', () => {
    const releases = [release(3, { A: '1' }), release(2, { A: '1', HOST: '192.0.2.1' }), release(1, { A: '1' })];
    const deployments = [
      deployment('dep_3', 'deploy', 'rel_3', 3_000, { previousReleaseId: 'rel_1' }),
      deployment('dep_2', 'config', 'rel_2', 2_000, { previousReleaseId: 'rel_1', state: 'failed' }),
    ];
    const views = releaseHistoryViews(releases, deployments, { app: 'web', environment: 'production' }, 'rel_3');
    expect(views.map((v) => [v.number, v.changedConfigKeys])).toEqual([
      [3, []],
      [2, ['HOST']],
      [1, ['A']],
    ]);
  });
});
