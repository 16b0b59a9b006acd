/** Test support: wire-shaped resources (apps, deployments, events) that the canned server answers with. */
import type { AppView, DeploymentEvent, DeploymentView } from '@slipway/contract';

export const cannedApp: AppView = {
  id: 'app_1',
  name: 'web',
  project: 'default',
  createdAt: '2026-01-02T03:04:05.000Z',
  environments: [
    {
      name: 'production',
      currentRelease: 3,
      scale: { web: 2 },
      routes: [{ host: 'web.localhost', path: '/', process: 'web' }],
      instances: { total: 2, healthy: 2 },
    },
  ],
};

export function cannedDeployment(overrides: Partial<DeploymentView> = {}): DeploymentView {
  return {
    id: 'dep_1',
    app: 'web',
    environment: 'production',
    kind: 'deploy',
    state: 'pending',
    phase: null,
    source: { kind: 'path', path: '/srv/web' },
    releaseNumber: null,
    previousReleaseNumber: 3,
    failure: null,
    phases: [],
    createdAt: '2026-01-02T03:04:05.000Z',
    finishedAt: null,
    ...overrides,
  };
}

const at = (seconds: number) => new Date(Date.UTC(2026, 0, 2, 3, 4, 5) + seconds * 1000).toISOString();

/** A build that runs 12.3 s with two log lines, then the given end. */
export function cannedBuildEvents(end: 'succeeded' | 'failed'): DeploymentEvent[] {
  const events: DeploymentEvent[] = [
    { type: 'phase', seq: 1, at: at(0), phase: 'build', state: 'running', detail: null },
    { type: 'log', seq: 2, at: at(1), line: 'installing dependencies' },
    { type: 'log', seq: 3, at: at(2), line: 'built in 11s' },
  ];
  if (end === 'succeeded') {
    return [
      ...events,
      { type: 'phase', seq: 4, at: at(12.3), phase: 'build', state: 'succeeded', detail: null },
      { type: 'phase', seq: 5, at: at(12.4), phase: 'rollout', state: 'running', detail: null },
      { type: 'phase', seq: 6, at: at(14.4), phase: 'rollout', state: 'succeeded', detail: null },
      { type: 'state', seq: 7, at: at(14.5), state: 'succeeded', failure: null },
    ];
  }
  return [
    ...events,
    { type: 'phase', seq: 4, at: at(12.3), phase: 'build', state: 'failed', detail: 'npm exited with 1' },
    {
      type: 'state',
      seq: 5,
      at: at(12.4),
      state: 'failed',
      failure: { phase: 'build', code: 'BUILD_FAILED', reason: 'npm run build exited with code 1' },
    },
  ];
}
