/**
 * Use cases on an app environment's config vars. A release is code plus config: a change rolls out as a release (same
 * artifact, no build), `config list` shows the config of the current release, a change that changes nothing is a
 * no-op, and a change whose rollout fails or is cancelled is taken back (`deployment/config-restore.ts`).
 */
import type { CoreDeps } from '../core-deps.js';
import { assertEnvironmentFits } from '../domain/environment-size.js';
import { isSameConfig } from '../domain/release-config.js';
import type { ReleaseRecord } from '../domain/records.js';
import type { Repositories } from '../ports/store.js';
import { insertDeployment } from './deployments.js';
import { getAppScope, type AppScope } from './lookups.js';

interface ScopeInput {
  app: string;
  environment: string;
}

export interface ConfigView {
  config: Record<string, string>;
  /** The current release's number; null before the first deploy. */
  release: number | null;
  /** Keys whose stored value differs from the current release's (stored without a rollout): the next deploy applies them. */
  pendingKeys: string[];
  deploymentId: string | null;
}

export async function getConfig(deps: CoreDeps, input: ScopeInput): Promise<ConfigView> {
  const scope = await getAppScope(deps.store, input.app, input.environment);
  return configView(scope.appEnvironment.config, await currentRelease(deps.store, scope), null);
}

/**
 * Sets and unsets config keys; when `deploy` and the app has a live release, rolls out a new release with the new
 * config (same artifact, no build), requested in the same transaction. A change that leaves both the stored config
 * and the live release's as they are writes nothing and starts nothing (`isChanged: false`).
 */
export async function patchConfig(
  deps: CoreDeps,
  input: ScopeInput & { set: Record<string, string>; unset: string[]; deploy: boolean; requestedBy?: string },
): Promise<ConfigView & { isChanged: boolean }> {
  return deps.store.transaction(async (tx) => {
    const scope = await getAppScope(tx, input.app, input.environment);
    const release = await currentRelease(tx, scope);
    const stored = scope.appEnvironment.config;
    const config = { ...stored, ...input.set };
    for (const key of input.unset) delete config[key];
    const isStoredChanged = !isSameConfig(config, stored);
    const isLiveChanged = input.deploy && release !== undefined && !isSameConfig(config, release.configVars);
    if (!isStoredChanged && !isLiveChanged) return { ...configView(stored, release, null), isChanged: false };
    assertEnvironmentFits(config, await tx.secrets.list(scope.app.id, scope.environment.id));
    const updated = isStoredChanged
      ? await tx.appEnvironments.update({ ...scope.appEnvironment, config, updatedAtMs: deps.clock.nowMs() })
      : scope.appEnvironment;
    let deploymentId: string | null = null;
    if (input.deploy && release !== undefined) {
      const deployment = await insertDeployment(
        deps,
        tx,
        { ...scope, appEnvironment: updated },
        {
          app: input.app,
          environment: input.environment,
          kind: 'config',
          source: { kind: 'release', releaseId: release.id },
          config,
          ...(input.requestedBy === undefined ? {} : { requestedBy: input.requestedBy }),
        },
      );
      deploymentId = deployment.id;
    }
    return { ...configView(config, release, deploymentId), isChanged: true };
  });
}

async function currentRelease(repos: Repositories, scope: AppScope): Promise<ReleaseRecord | undefined> {
  const id = scope.appEnvironment.currentReleaseId;
  return id === null ? undefined : repos.releases.findById(id);
}

function configView(
  config: Record<string, string>,
  release: ReleaseRecord | undefined,
  deploymentId: string | null,
): ConfigView {
  const live = release?.configVars ?? {};
  const pendingKeys =
    release === undefined || deploymentId !== null
      ? []
      : [...new Set([...Object.keys(config), ...Object.keys(live)])].filter((key) => config[key] !== live[key]).sort();
  return { config, release: release?.number ?? null, pendingKeys, deploymentId };
}
