/** The release phase: the immutable release a deployment rolls out. */
import { SlipwayError } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import type { DeploymentRecord, ReleaseRecord } from '../domain/records.js';
import { mergeReleaseConfig } from '../domain/release-config.js';
import type { Repositories } from '../ports/store.js';
import { getRelease } from '../use-cases/lookups.js';
import type { BuiltSource } from './build-phase.js';
import type { FailpointName } from './failpoints.js';

/**
 * Records the release a deployment rolls out (idempotent on resume): a build's artifact promoted into the releases and
 * recorded with its config and a sealed copy of the secrets, or, for a config change, the source release with new
 * config; written under the run's fence.
 */
export async function createRelease(
  deps: CoreDeps,
  deployment: DeploymentRecord,
  built: BuiltSource | undefined,
  failpoint: (name: FailpointName) => Promise<void>,
  save: (current: DeploymentRecord, changes: Partial<DeploymentRecord>) => Promise<DeploymentRecord>,
  fence: (tx: Repositories) => Promise<void>,
): Promise<ReleaseRecord> {
  const { store, clock, logger } = deps;
  if (deployment.releaseId !== null) {
    const existing = await store.releases.findById(deployment.releaseId);
    if (existing && deployment.kind === 'deploy') return existing;
    if (existing && deployment.kind === 'config' && existing.id !== sourceReleaseId(deployment)) return existing;
  }
  const appEnvironment = await store.appEnvironments.find(deployment.appId, deployment.environmentId);
  let base: Omit<ReleaseRecord, 'id' | 'number' | 'createdAtMs' | 'config' | 'configVars'>;
  let configVars: Record<string, string>;
  let releaseId: string;
  if (deployment.kind === 'config') {
    const previous = await getRelease(store, sourceReleaseId(deployment));
    releaseId = deps.ids.next('rel');
    base = { ...previous, appId: deployment.appId, environmentId: deployment.environmentId };
    configVars = deployment.config ?? appEnvironment?.config ?? {};
  } else {
    if (!built) throw new SlipwayError('INTERNAL', 'release phase reached without a build');
    releaseId = deployment.releaseId ?? deps.ids.next('rel');
    // Fenced just before the artifact moves: a run that lost its lease never touches the workspace or releases.
    await save(deployment, { releaseId });
    if (await deps.artifacts.hasArtifact(releaseId)) {
      // A run that died between moving its artifact and recording the release: this run built afresh, so the
      // artifact that matches `built` is this run's workspace, not the one left behind (promote returns its path).
      await deps.artifacts.deleteArtifact(await deps.artifacts.promote(deployment.id, releaseId));
      logger.info({ deploymentId: deployment.id, releaseId }, 'artifact of an interrupted run replaced');
    }
    const artifactDir = await deps.artifacts.promote(deployment.id, releaseId);
    await failpoint('release:promoted');
    base = {
      appId: deployment.appId,
      environmentId: deployment.environmentId,
      artifactDir,
      builder: built.builder,
      source: deployment.sourceView ?? { kind: 'path', path: '' },
      processes: built.processes,
      runtimePrefix: built.runtimePrefix ?? null,
      manifest: built.manifest,
      image: built.image ?? null,
    };
    configVars = appEnvironment?.config ?? {};
  }
  const release = await store.transaction(async (tx) => {
    await fence(tx);
    const number = await tx.releases.nextNumber(deployment.appId, deployment.environmentId);
    const record: ReleaseRecord = {
      ...base,
      id: releaseId,
      number,
      config: mergeReleaseConfig(base.manifest, configVars),
      configVars,
      createdAtMs: clock.nowMs(),
    };
    await tx.releases.insert(record);
    // The release carries the secrets as they are now, still sealed: a rollback to it restores them.
    await tx.secrets.snapshotToRelease(releaseId, deployment.appId, deployment.environmentId);
    await tx.deployments.update({ ...deployment, releaseId, updatedAtMs: clock.nowMs() });
    return record;
  });
  deployment.releaseId = release.id;
  return release;
}

function sourceReleaseId(deployment: DeploymentRecord): string {
  if (deployment.source.kind !== 'release') throw new SlipwayError('INTERNAL', 'expected a release source');
  return deployment.source.releaseId;
}
