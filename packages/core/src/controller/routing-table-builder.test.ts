import { describe, expect, it } from 'vitest';
import type { DesiredStateRecord, ReleaseTarget } from '../delivery/rollout-model.js';
import type { AppRecord, EnvironmentRecord, InstanceRecord, RouteRecord } from '../domain/records.js';
import { buildRoutingTable, type RoutingInputs } from './routing-table-builder.js';

const app: AppRecord = { id: 'app_1', projectId: 'prj_1', name: 'hello', createdAtMs: 0 };
const production: EnvironmentRecord = { id: 'env_1', projectId: 'prj_1', name: 'production', createdAtMs: 0 };
const route: RouteRecord = {
  id: 'rte_1',
  appId: app.id,
  environmentId: production.id,
  host: 'hello.localhost',
  pathPrefix: '/',
  process: 'web',
  timeoutMs: null,
  origin: 'default',
};
const instance = (id: string, releaseId: string, port: number): InstanceRecord => ({
  id,
  appId: app.id,
  environmentId: production.id,
  releaseId,
  deploymentId: null,
  process: 'web',
  state: 'healthy',
  host: '127.0.0.1',
  port,
  pid: 1,
  restarts: 0,
  lastExitCode: null,
  startedAtMs: 0,
  healthyAtMs: 0,
  restartAfterMs: null,
  updatedAtMs: 0,
  runtime: 'process',
  limits: null,
  lastExitReason: null,
});
const target = (releaseNumber: number, weight: number | null, over: Partial<ReleaseTarget> = {}): ReleaseTarget => ({
  releaseId: `rel_${releaseNumber}`,
  releaseNumber,
  scale: { web: 1 },
  weight,
  matches: [],
  isPreview: false,
  ...over,
});
const desired = (targets: ReleaseTarget[]): DesiredStateRecord => ({
  appId: app.id,
  environmentId: production.id,
  targets,
  stickyCookie: 'slipway-release',
  version: 1,
  updatedAtMs: 0,
});
const inputs = (desiredStates?: DesiredStateRecord[]): RoutingInputs => ({
  routes: [route],
  instances: [instance('ins_a', 'rel_1', 4001), instance('ins_b', 'rel_2', 4002)],
  apps: new Map([[app.id, app]]),
  environments: new Map([[production.id, production]]),
  releases: new Map([
    ['rel_1', { number: 1 }],
    ['rel_2', { number: 2 }],
  ]),
  ...(desiredStates === undefined ? {} : { desiredStates, defaultDomain: 'localhost' }),
});

describe('buildRoutingTable', () => {
  it('builds the same table as without a desired state when weights go by instance count (rolling)', () => {
    const before = JSON.stringify(buildRoutingTable(inputs()));
    expect(JSON.stringify(buildRoutingTable(inputs([desired([target(1, null), target(2, null)])])))).toBe(before);
    expect(JSON.stringify(buildRoutingTable(inputs([desired([target(2, 100)])])))).toBe(before);
  });

  it('splits by exact release weight, with the sticky cookie, when two releases take traffic', () => {
    const [entry] = buildRoutingTable(inputs([desired([target(1, 90), target(2, 10)])])).routes;
    expect(entry?.split).toEqual({
      releases: [
        { releaseNumber: 1, weight: 90 },
        { releaseNumber: 2, weight: 10 },
      ],
      stickyCookie: 'slipway-release',
    });
    expect(entry?.upstreams.map((u) => u.weight)).toEqual([1, 1]);
  });

  it('gives a release at weight 0 no upstream weight, and its preview host only its own upstreams', () => {
    const table = buildRoutingTable(inputs([desired([target(1, 100), target(2, 0, { isPreview: true })])]));
    expect(table.routes.map((r) => r.host)).toEqual(['hello--preview.localhost', 'hello.localhost']);
    const [preview, main] = table.routes;
    expect(main?.split).toBeUndefined();
    expect(main?.upstreams.map((u) => [u.instanceId, u.weight])).toEqual([
      ['ins_a', 1],
      ['ins_b', 0],
    ]);
    expect(preview?.upstreams.map((u) => [u.instanceId, u.weight])).toEqual([['ins_b', 1]]);
    expect(preview?.split).toBeUndefined();
  });

  it('splits when one release has matches, even with all the weight on another', () => {
    const matches = [{ header: 'x-canary', value: 'yes', kind: 'exact' as const }];
    const [entry] = buildRoutingTable(inputs([desired([target(1, 100), target(2, 0, { matches })])])).routes;
    expect(entry?.split?.releases).toEqual([
      { releaseNumber: 1, weight: 100 },
      { releaseNumber: 2, weight: 0, matches },
    ]);
    expect(entry?.upstreams.map((u) => u.weight)).toEqual([1, 1]);
  });
});

describe('the routes of a process type that scales to zero', () => {
  it('carry its hold bounds, with or without an instance, and other routes none', () => {
    const hold = { holdTimeoutMs: 30_000, maxHeldRequests: 100, maxHeldBytes: 1_048_576 };
    const coldStarts = new Map([[`${app.id}/${production.id}/web`, hold]]);
    const cold = buildRoutingTable({ ...inputs(), instances: [], coldStarts });
    const serving = buildRoutingTable({ ...inputs(), coldStarts });
    const other = buildRoutingTable({
      ...inputs(),
      coldStarts: new Map([[`${app.id}/${production.id}/worker`, hold]]),
    });

    expect(cold.routes[0]).toMatchObject({ upstreams: [], coldStart: hold });
    expect(serving.routes[0]?.coldStart).toEqual(hold);
    expect(serving.routes[0]?.upstreams).toHaveLength(2);
    expect(other.routes[0]?.coldStart).toBeUndefined();
  });
});
