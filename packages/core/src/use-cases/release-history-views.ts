/**
 * Releases as their history shows them: each with its config hash, the names of the config keys changed from the
 * release it replaced (live when its deployment began; else the one numbered before it), and the deployment that made it (kind, outcome, who asked). Values never leave: the hash is of
 * the whole snapshot, the changes are key names.
 */
import { createHash } from 'node:crypto';
import type { ReleaseView } from '@slipway/contract';
import type { DeploymentRecord, ReleaseRecord } from '../domain/records.js';
import { releaseView } from './views.js';

/** `sha256:` of a config snapshot as canonical JSON (keys sorted). */
export function configHashOf(config: Readonly<Record<string, string>>): string {
  const canonical = JSON.stringify(
    Object.keys(config)
      .sort()
      .map((key) => [key, config[key]]),
  );
  return `sha256:${createHash('sha256').update(canonical).digest('hex')}`;
}

/** Keys added, removed or given another value from `before` to `after`, sorted. */
export function changedConfigKeys(
  before: Readonly<Record<string, string>>,
  after: Readonly<Record<string, string>>,
): string[] {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys].filter((key) => before[key] !== after[key]).sort();
}

/**
 * How many of the newest deployments to read for the history of `releaseCount` releases: enough for restarts and
 * rollbacks between them; a release made before those has `madeBy: null`.
 */
export function releaseHistoryDeployments(releaseCount: number): number {
  return Math.min(1_000, 50 + releaseCount * 4);
}

/**
 * Views of `releases` (any order) with their history. `deployments` are the environment's, any order: the oldest one
 * naming a release as its `releaseId` is the one that made it (a rollback names the release it brings back, later).
 */
export function releaseHistoryViews(
  releases: readonly ReleaseRecord[],
  deployments: readonly DeploymentRecord[],
  names: { app: string; environment: string },
  currentReleaseId: string | null,
): ReleaseView[] {
  const byNumber = new Map(releases.map((r) => [r.number, r]));
  const byId = new Map(releases.map((r) => [r.id, r]));
  const maker = new Map<string, DeploymentRecord>();
  for (const deployment of deployments) {
    if (deployment.releaseId === null || deployment.kind === 'rollback' || deployment.kind === 'restart') continue;
    const known = maker.get(deployment.releaseId);
    if (known === undefined || deployment.createdAtMs < known.createdAtMs) maker.set(deployment.releaseId, deployment);
  }
  const current = releases.find((r) => r.id === currentReleaseId);
  return releases.map((release) => {
    const made = maker.get(release.id);
    // What it replaced: the release live when its deployment began; else the one numbered before it.
    const replaced = made?.previousReleaseId ?? null;
    const before = (replaced === null ? undefined : byId.get(replaced)) ?? byNumber.get(release.number - 1);
    return {
      ...releaseView(release, names, currentReleaseId),
      configHash: configHashOf(release.config),
      changedConfigKeys: changedConfigKeys(before?.config ?? {}, release.config),
      configKeysDifferingFromCurrent: current === undefined ? [] : changedConfigKeys(current.config, release.config),
      madeBy:
        made === undefined
          ? null
          : { deploymentId: made.id, kind: made.kind, state: made.state, requestedBy: made.requestedBy ?? null },
    };
  });
}
