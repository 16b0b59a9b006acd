/**
 * Keeps an app environment's config and secrets in step with its releases, since a release is code plus config: a
 * rollback makes the target release's config vars and secrets the app environment's again, and a config change (of
 * config vars or secrets) whose rollout failed or was cancelled is taken back to the stable release's.
 */
import type { CoreDeps } from '../core-deps.js';
import type { DeploymentRecord, ReleaseRecord } from '../domain/records.js';
import { isSameConfig, revertConfigChange } from '../domain/release-config.js';
import type { SecretChange, SecretRecord } from '../domain/secret-records.js';
import type { Repositories } from '../ports/store.js';
import { openCurrentSecrets, openReleaseSecrets, sealSecret } from '../secrets/secret-vault.js';

/** The secrets to write back, opened before the transaction that writes them. */
export interface SecretRestore {
  /** Name → value of the release that is restored. */
  values: Readonly<Record<string, string>>;
  /** Name → version in that release's snapshot. */
  versions: ReadonlyMap<string, number>;
  /** Name → value the app environment holds now: a name whose value is already the release's is left as it is. */
  current: Readonly<Record<string, string>>;
  /** Only names this returns true for are touched (for a change taken back: those nobody changed since). */
  isOwned: (record: SecretRecord | undefined) => boolean;
}

type RestoreDeps = Pick<CoreDeps, 'store' | 'secretCipher' | 'ids' | 'clock'>;

/** What a rollback to `release` restores: all its config vars and secrets. */
export async function rollbackRestore(deps: RestoreDeps, release: ReleaseRecord): Promise<SecretRestore> {
  return {
    values: await openReleaseSecrets(deps, release),
    versions: await snapshotVersions(deps, release.id),
    current: await openCurrentSecrets(deps, { appId: release.appId, environmentId: release.environmentId }),
    isOwned: () => true,
  };
}

/**
 * Writes `release`'s secrets back over the app environment's in `tx`: a name the release does not carry is unset, a
 * name whose stored version is not the release's is sealed again as a new version. Returns the changes made.
 */
export async function restoreSecrets(
  deps: RestoreDeps,
  tx: Repositories,
  release: ReleaseRecord,
  restore: SecretRestore,
  deploymentId: string,
): Promise<Omit<SecretChange, 'app' | 'environment' | 'actor'>[]> {
  const scope = { appId: release.appId, environmentId: release.environmentId };
  const now = deps.clock.nowMs();
  const stored = await tx.secrets.list(scope.appId, scope.environmentId);
  const names = new Set([...stored.map((r) => r.name), ...restore.versions.keys()]);
  const changes: Omit<SecretChange, 'app' | 'environment' | 'actor'>[] = [];
  for (const name of [...names].sort()) {
    const existing = await tx.secrets.find(scope.appId, scope.environmentId, name);
    if (!restore.isOwned(existing)) continue;
    const value = restore.values[name];
    const isSet = existing !== undefined && existing.sealed !== null;
    if (value === undefined) {
      if (!isSet) continue;
      await tx.secrets.put(
        { ...existing, version: existing.version + 1, sealed: null, updatedAtMs: now },
        existing.version,
      );
      changes.push({ action: 'unset', name, version: existing.version + 1, deploymentId, atMs: now });
      continue;
    }
    if (isSet && (existing.version === restore.versions.get(name) || restore.current[name] === value)) continue;
    const version = (existing?.version ?? 0) + 1;
    const sealed = await sealSecret(deps, tx, scope, name, version, value);
    await tx.secrets.put({ ...scope, name, version, sealed, updatedAtMs: now }, existing?.version ?? null);
    changes.push({ action: 'set', name, version, deploymentId, atMs: now });
  }
  return changes;
}

/**
 * Takes back a config change that did not roll out: each config key and secret it changed goes back to the stable
 * release's, unless changed again since. Returns what was taken back, for the deployment log (nothing when the
 * deployment was not a config change or the app has no stable release).
 */
export async function takeBackConfigChange(
  deps: RestoreDeps & Pick<CoreDeps, 'onSecretChange'>,
  deployment: DeploymentRecord,
  fence: (tx: Repositories) => Promise<void>,
): Promise<{ stable: ReleaseRecord; keys: string[]; secrets: string[] } | undefined> {
  if (deployment.kind !== 'config' || deployment.config === null) return undefined;
  const appEnvironment = await deps.store.appEnvironments.find(deployment.appId, deployment.environmentId);
  const stableId = appEnvironment?.currentReleaseId ?? null;
  if (!appEnvironment || stableId === null || stableId === deployment.releaseId) return undefined;
  const stable = await deps.store.releases.findById(stableId);
  if (!stable) return undefined;
  const restore: SecretRestore = {
    ...(await rollbackRestore(deps, stable)),
    // The change's secrets are those written up to its request; one written since is someone else's and stays.
    isOwned: (record) => record === undefined || record.updatedAtMs <= deployment.createdAtMs,
  };
  const change = deployment.config;
  const result = await deps.store.transaction(async (tx) => {
    await fence(tx);
    const current = await tx.appEnvironments.find(deployment.appId, deployment.environmentId);
    if (!current) return { keys: [], secretChanges: [] };
    const config = revertConfigChange(current.config, change, stable.configVars);
    const keys = [...new Set([...Object.keys(config), ...Object.keys(current.config)])]
      .filter((key) => config[key] !== current.config[key])
      .sort();
    if (!isSameConfig(config, current.config))
      await tx.appEnvironments.update({ ...current, config, updatedAtMs: deps.clock.nowMs() });
    const secretChanges = await restoreSecrets(deps, tx, stable, restore, deployment.id);
    return { keys, secretChanges };
  });
  await reportSecretChanges(deps, deployment, result.secretChanges);
  return { stable, keys: result.keys, secrets: result.secretChanges.map((c) => c.name) };
}

/** The deployment log's line for a take-back, or undefined when nothing was taken back. */
export function describeTakeBack(taken: Awaited<ReturnType<typeof takeBackConfigChange>>): string | undefined {
  if (taken === undefined || taken.keys.length + taken.secrets.length === 0) return undefined;
  const what = [
    ...(taken.keys.length === 0 ? [] : [`config ${taken.keys.join(', ')}`]),
    ...(taken.secrets.length === 0 ? [] : [`secrets ${taken.secrets.join(', ')}`]),
  ].join('; ');
  return `change taken back: ${what} as in release ${taken.stable.number} again`;
}

/** Tells the audit log and the slipwayd log of secrets a rollback or a take-back wrote (names and versions only). */
export async function reportSecretChanges(
  deps: Pick<CoreDeps, 'store' | 'onSecretChange'>,
  deployment: DeploymentRecord,
  changes: readonly Omit<SecretChange, 'app' | 'environment' | 'actor'>[],
): Promise<void> {
  if (changes.length === 0 || deps.onSecretChange === undefined) return;
  const app = await deps.store.apps.findById(deployment.appId);
  const environment = await deps.store.environments.findById(deployment.environmentId);
  for (const change of changes) {
    deps.onSecretChange({ ...change, app: app?.name ?? '', environment: environment?.name ?? '', actor: null });
  }
}

async function snapshotVersions(deps: Pick<CoreDeps, 'store'>, releaseId: string): Promise<Map<string, number>> {
  return new Map((await deps.store.secrets.listForRelease(releaseId)).map((r) => [r.name, r.version]));
}
