/**
 * A preview's config and secrets come from the app's `preview` environment (the preview set), copied into `pr-<n>`
 * before each deployment of it: never from production, and a preview set changed since is applied at the next
 * update. An app without a `preview` environment gives its previews empty config and no secrets.
 */
import type { CoreDeps } from '../core-deps.js';
import type { AppRecord } from '../domain/records.js';
import type { SecretRecord } from '../domain/secret-records.js';
import type { Repositories } from '../ports/store.js';
import { openCurrentSecrets, sealSecret } from '../secrets/secret-vault.js';

/** The environment whose config and secrets every preview of the app gets. */
export const previewSetEnvironment = 'preview';

export interface PreviewSet {
  readonly config: Readonly<Record<string, string>>;
  readonly secrets: Readonly<Record<string, string>>;
}

/** Reads the preview set (outside any transaction: opening secrets reads data keys). Errors: `SECRET_UNREADABLE`. */
export async function readPreviewSet(deps: CoreDeps, app: AppRecord): Promise<PreviewSet> {
  const environment = await deps.store.environments.find(app.projectId, previewSetEnvironment);
  const appEnvironment = environment && (await deps.store.appEnvironments.find(app.id, environment.id));
  if (!environment || !appEnvironment) return { config: {}, secrets: {} };
  const secrets = await openCurrentSecrets(deps, { appId: app.id, environmentId: environment.id });
  return { config: { ...appEnvironment.config }, secrets };
}

/**
 * Makes the preview environment's config and secrets exactly the set's, writing only what differs (`current` are its
 * secrets' values now). Inside the transaction that requests the deployment, so the release is made from them.
 */
export async function applyPreviewSet(
  deps: CoreDeps,
  tx: Repositories,
  scope: { appId: string; environmentId: string },
  set: PreviewSet,
  current: Readonly<Record<string, string>>,
): Promise<void> {
  const appEnvironment = await tx.appEnvironments.find(scope.appId, scope.environmentId);
  if (!appEnvironment) return;
  const now = deps.clock.nowMs();
  if (!sameRecord(appEnvironment.config, set.config)) {
    await tx.appEnvironments.update({ ...appEnvironment, config: { ...set.config }, updatedAtMs: now });
  }
  for (const [name, value] of Object.entries(set.secrets)) {
    if (current[name] === value) continue;
    const existing = await tx.secrets.find(scope.appId, scope.environmentId, name);
    const version = (existing?.version ?? 0) + 1;
    const sealed = await sealSecret(deps, tx, scope, name, version, value);
    const record: SecretRecord = { ...scope, name, version, sealed, updatedAtMs: now };
    await tx.secrets.put(record, existing?.version ?? null);
  }
  for (const record of await tx.secrets.list(scope.appId, scope.environmentId)) {
    if (Object.hasOwn(set.secrets, record.name)) continue;
    await tx.secrets.put({ ...record, version: record.version + 1, sealed: null, updatedAtMs: now }, record.version);
  }
}

function sameRecord(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}
