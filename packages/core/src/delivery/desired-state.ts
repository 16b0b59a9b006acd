/**
 * Reading and writing an app environment's desired state: the steady state of a release (all traffic, the
 * environment's scale over the manifest's), and a write that retries when someone wrote it in between.
 */
import { isSlipwayError } from '@slipway/contract';
import { resolveProcesses } from '../domain/process-plan.js';
import type { ReleaseRecord } from '../domain/records.js';
import type { Repositories } from '../ports/store.js';
import type { ReleaseTarget } from './rollout-model.js';

/** Instances wanted per process type of a release: the environment's scale over the manifest's replicas. */
export function scaleOf(release: ReleaseRecord, scale: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(
    resolveProcesses(release.processes, release.manifest, scale).map((p) => [p.name, p.replicas]),
  );
}

/** One release at full scale, every healthy instance taking an equal share: how an app runs between rollouts. */
export function steadyTargets(release: ReleaseRecord, scale: Readonly<Record<string, number>>): ReleaseTarget[] {
  return [
    {
      releaseId: release.id,
      releaseNumber: release.number,
      scale: scaleOf(release, scale),
      weight: null,
      matches: [],
      isPreview: false,
    },
  ];
}

export function isSameTargets(a: readonly ReleaseTarget[], b: readonly ReleaseTarget[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Makes `targets` the app environment's desired state, whatever was written before (a control-plane decision that
 * must hold: a finalize, an abort). Retries on a concurrent write; idempotent.
 */
export async function writeDesiredState(
  repositories: Pick<Repositories, 'desiredStates'>,
  scope: { appId: string; environmentId: string },
  targets: ReleaseTarget[],
  nowMs: number,
  stickyCookie: string | null = null,
): Promise<void> {
  for (let attempt = 0; ; attempt += 1) {
    const stored = await repositories.desiredStates.find(scope.appId, scope.environmentId);
    if (stored !== undefined && isSameTargets(stored.targets, targets) && stored.stickyCookie === stickyCookie) return;
    try {
      await repositories.desiredStates.put({
        appId: scope.appId,
        environmentId: scope.environmentId,
        targets,
        stickyCookie,
        version: stored?.version ?? 0,
        updatedAtMs: nowMs,
      });
      return;
    } catch (error) {
      if (!isSlipwayError(error) || error.code !== 'VERSION_CONFLICT' || attempt >= 5) throw error;
    }
  }
}
