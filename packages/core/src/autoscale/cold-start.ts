/**
 * Scale to zero's two halves outside the pure decision: how long a process type has been idle, read from the edge's
 * own counters of its routes (requests and requests under way, held ones included), and the wake, which starts an
 * instance of a process type scaled to zero when the edge holds a request for it.
 */
import {
  isSlipwayError,
  type AutoscaleSpec,
  type ColdStartHold,
  type EdgeMetrics,
  type WakeRequest,
} from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import { resolveProcesses } from '../domain/process-plan.js';
import { scaleApp } from '../use-cases/app-state.js';
import type { AutoscaleDecision } from './autoscale-decision.js';

/** What the edge holds for a process type that scales to zero; undefined for one that does not. */
export function coldStartHoldOf(spec: AutoscaleSpec | undefined): ColdStartHold | undefined {
  const zero = spec?.scaleToZero;
  if (zero === undefined) return undefined;
  return {
    holdTimeoutMs: zero.holdTimeoutSeconds * 1000,
    maxHeldRequests: zero.maxHeldRequests,
    maxHeldBytes: zero.maxHeldBytes,
  };
}

/** How long a process type has had no request and none under way, or why that is not known. */
export type IdleReading = { idleForMs: number } | { error: string };

export interface IdleTracker {
  /**
   * Idle time of the process type as of `nowMs`, from the edge's counters; `replicas` is its count now (a count
   * raised from 0 — a wake, or a person's scale — counts as activity, so it gets a whole idle period).
   */
  observe(
    scope: { app: string; environment: string; process: string },
    edge: EdgeMetrics | { error: string },
    nowMs: number,
    replicas: number,
  ): IdleReading;
  /** Forgets process types not in `keys`. */
  retain(keys: ReadonlySet<string>): void;
}

export function idleKey(scope: { app: string; environment: string; process: string }): string {
  return `${scope.app} ${scope.environment} ${scope.process}`;
}

/**
 * Activity is seen at each evaluation: the routes' request count changed, or a request was under way. A process type
 * seen for the first time (a slipwayd restart) counts as active then, so it waits a whole idle period.
 */
export function createIdleTracker(): IdleTracker {
  const seen = new Map<string, { requests: number; activeAtMs: number; replicas: number }>();
  return {
    observe(scope, edge, nowMs, replicas) {
      if ('error' in edge) return edge;
      const routes = edge.routes.filter(
        (r) => r.app === scope.app && r.environment === scope.environment && r.process === scope.process,
      );
      if (routes.length === 0)
        return { error: 'the edge routes no request to this process type: scale to zero needs a route' };
      const requests = routes.reduce((sum, r) => sum + r.counters.requests, 0);
      const active = routes.reduce((sum, r) => sum + (r.counters.active ?? 0), 0);
      const key = idleKey(scope);
      const previous = seen.get(key);
      const isActive =
        previous === undefined ||
        previous.requests !== requests ||
        active > 0 ||
        (previous.replicas === 0 && replicas > 0);
      const activeAtMs = isActive ? nowMs : previous.activeAtMs;
      seen.set(key, { requests, activeAtMs, replicas });
      return { idleForMs: nowMs - activeAtMs };
    },
    retain(keys) {
      for (const key of seen.keys()) if (!keys.has(key)) seen.delete(key);
    },
  };
}

export type WakeOutcome = 'woken' | 'not-cold' | 'not-wakeable' | 'rollout';

/**
 * Starts `min` instances of a process type scaled to zero whose requests the edge holds, through `scaleApp` (the
 * controller starts them, health-gated, and the routing table brings them to the edge). Nothing happens when the
 * process type runs already, does not scale to zero, its app is stopped, or a rollout owns the count.
 */
export async function wakeProcess(deps: CoreDeps, request: WakeRequest, decisionsKept: number): Promise<WakeOutcome> {
  const app = await deps.store.apps.findByName(request.app);
  const environment =
    app === undefined ? undefined : await deps.store.environments.find(app.projectId, request.environment);
  if (app === undefined || environment === undefined) return 'not-wakeable';
  const appEnvironment = await deps.store.appEnvironments.find(app.id, environment.id);
  if (appEnvironment?.currentReleaseId == null || appEnvironment.runState === 'stopped') return 'not-wakeable';
  const release = await deps.store.releases.findById(appEnvironment.currentReleaseId);
  const spec = release?.manifest.processes?.[request.process]?.autoscale;
  if (release === undefined || spec?.scaleToZero === undefined) return 'not-wakeable';
  const current = resolveProcesses(release.processes, release.manifest, appEnvironment.scale).find(
    (p) => p.name === request.process,
  )?.replicas;
  if (current !== 0) return 'not-cold';
  const nowMs = deps.clock.nowMs();
  try {
    await scaleApp(deps, { ...request, processes: { [request.process]: spec.min }, isRefusedDuringRollout: true });
  } catch (error) {
    if (isSlipwayError(error) && error.code === 'DEPLOYMENT_IN_PROGRESS') return 'rollout';
    throw error;
  }
  const decision: AutoscaleDecision = {
    atMs: nowMs,
    currentReplicas: 0,
    metrics: [],
    rawDesired: spec.min,
    stabilised: spec.min,
    policyLimited: spec.min,
    final: spec.min,
    limit: 'WokenByRequest',
    reasoning: `a request is held at the edge while scaled to zero: 0 → ${spec.min}`,
  };
  await deps.store.autoscaleDecisions.insert(
    {
      id: deps.ids.next('asd'),
      appId: app.id,
      environmentId: environment.id,
      process: request.process,
      atMs: nowMs,
      decision,
    },
    decisionsKept,
  );
  deps.logger.info({ ...request, to: spec.min }, 'woken from zero');
  return 'woken';
}
