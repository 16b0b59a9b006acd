/**
 * Use cases on an app environment's secrets: list (names, versions, times — never values), and set or unset, which
 * like a config change rolls out a new release carrying the new secrets (same artifact, no build).
 */
import { SlipwayError, type SecretView } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import type { SecretChange, SecretRecord } from '../domain/secret-records.js';
import type { Actor } from '../identity/principal.js';
import { assertEnvironmentFits } from '../domain/environment-size.js';
import { openSealedValue, sealSecret } from '../secrets/secret-vault.js';
import type { Repositories } from '../ports/store.js';
import { insertDeployment } from './deployments.js';
import { getAppScope } from './lookups.js';

interface ScopeInput {
  app: string;
  environment: string;
}

export interface SecretChangeRequest extends ScopeInput {
  /** Name → new value. */
  set: Readonly<Record<string, string>>;
  /** Names to remove; each must be set. */
  unset: readonly string[];
  /** Roll out a release with the change when the app has one (as `config set` does). */
  deploy: boolean;
  /** Who asks, for the change events (the audit log). */
  actor?: Actor | null;
}

const secretView = (record: SecretRecord): SecretView => ({
  name: record.name,
  version: record.version,
  updatedAt: new Date(record.updatedAtMs).toISOString(),
});

/** The app environment's secrets by name, without values. Errors: `APP_NOT_FOUND`, `ENVIRONMENT_NOT_FOUND`. */
export async function listSecrets(deps: CoreDeps, input: ScopeInput): Promise<SecretView[]> {
  const scope = await getAppScope(deps.store, input.app, input.environment);
  return (await deps.store.secrets.list(scope.app.id, scope.environment.id)).map(secretView);
}

/**
 * Seals and stores the `set` values and removes the `unset` names in one transaction, then (with `deploy`, when the
 * app has a live release) requests a `config` deployment in the same transaction, so a refused deployment
 * (`DEPLOYMENT_IN_PROGRESS`) changes nothing. A value set again as it is writes nothing, and a change that is all such
 * values, with nothing pending, starts nothing (`isChanged: false`). Errors: `SECRET_NOT_FOUND` for an unset name that is not set,
 * `VALIDATION_FAILED` for a name both set and unset, `VERSION_CONFLICT`, `SECRET_UNREADABLE`.
 */
export async function changeSecrets(
  deps: CoreDeps,
  input: SecretChangeRequest,
): Promise<{ secrets: SecretView[]; deploymentId: string | null; isChanged: boolean }> {
  const clash = input.unset.find((name) => Object.hasOwn(input.set, name));
  if (clash !== undefined) {
    throw new SlipwayError('VALIDATION_FAILED', `secret ${clash} cannot be both set and unset`, {
      details: { name: clash },
    });
  }
  // Read before the transaction: a value set again as it is (same name, same version still) is not a change.
  const unchanged = await unchangedValues(deps, input);
  const result = await deps.store.transaction(async (tx) => {
    const scope = await getAppScope(tx, input.app, input.environment);
    const ids = { appId: scope.app.id, environmentId: scope.environment.id };
    const stored = await tx.secrets.list(ids.appId, ids.environmentId);
    const toSet = Object.entries(input.set).filter(
      ([name]) => !stored.some((r) => r.name === name && unchanged.get(name) === r.version),
    );
    const releaseId = scope.appEnvironment.currentReleaseId;
    if (toSet.length === 0 && input.unset.length === 0) {
      const isLive = releaseId === null || !input.deploy || (await isSnapshotOf(tx, releaseId, stored));
      if (isLive)
        return { secrets: stored.map(secretView), deploymentId: null, written: [], atMs: 0, isChanged: false };
    }
    const remaining = stored.filter((record) => !input.unset.includes(record.name));
    assertEnvironmentFits(scope.appEnvironment.config, remaining, input.set);
    const now = deps.clock.nowMs();
    const written: SecretRecord[] = [];
    for (const [name, value] of toSet) {
      const existing = await tx.secrets.find(ids.appId, ids.environmentId, name);
      const version = (existing?.version ?? 0) + 1;
      const sealed = await sealSecret(deps, tx, ids, name, version, value);
      const record: SecretRecord = { ...ids, name, version, sealed, updatedAtMs: now };
      await tx.secrets.put(record, existing?.version ?? null);
      written.push(record);
    }
    for (const name of input.unset) {
      const existing = await tx.secrets.find(ids.appId, ids.environmentId, name);
      if (!existing || existing.sealed === null) {
        throw new SlipwayError('SECRET_NOT_FOUND', `app "${input.app}" (${input.environment}) has no secret ${name}`, {
          details: { app: input.app, environment: input.environment, name },
        });
      }
      const record: SecretRecord = { ...existing, version: existing.version + 1, sealed: null, updatedAtMs: now };
      await tx.secrets.put(record, existing.version);
      written.push(record);
    }
    let deploymentId: string | null = null;
    if (input.deploy && releaseId !== null) {
      const deployment = await insertDeployment(deps, tx, scope, {
        app: input.app,
        environment: input.environment,
        kind: 'config',
        source: { kind: 'release', releaseId },
        config: scope.appEnvironment.config,
        ...(input.actor?.kind === 'user' ? { requestedBy: input.actor.name } : {}),
      });
      deploymentId = deployment.id;
    }
    const secrets = (await tx.secrets.list(ids.appId, ids.environmentId)).map(secretView);
    return { secrets, deploymentId, written, atMs: now, isChanged: true };
  });
  if (!result.isChanged) return { secrets: result.secrets, deploymentId: null, isChanged: false };
  const changes: SecretChange[] = result.written.map((record) => ({
    action: record.sealed === null ? 'unset' : 'set',
    app: input.app,
    environment: input.environment,
    name: record.name,
    version: record.version,
    deploymentId: result.deploymentId,
    actor: input.actor ?? null,
    atMs: result.atMs,
  }));
  deps.logger.info(
    {
      app: input.app,
      environment: input.environment,
      set: changes.filter((c) => c.action === 'set').map((c) => c.name),
      unset: changes.filter((c) => c.action === 'unset').map((c) => c.name),
      deploymentId: result.deploymentId,
    },
    'secrets changed',
  );
  for (const change of changes) deps.onSecretChange?.(change);
  return { secrets: result.secrets, deploymentId: result.deploymentId, isChanged: result.isChanged };
}

/** Name → stored version, for each name `input.set` gives the value it holds already. */
async function unchangedValues(deps: CoreDeps, input: SecretChangeRequest): Promise<Map<string, number>> {
  const names = Object.keys(input.set);
  const same = new Map<string, number>();
  if (names.length === 0) return same;
  const scope = await getAppScope(deps.store, input.app, input.environment);
  const ids = { appId: scope.app.id, environmentId: scope.environment.id };
  for (const name of names) {
    const record = await deps.store.secrets.find(ids.appId, ids.environmentId, name);
    if (record?.sealed === undefined || record.sealed === null) continue;
    const entry = { name, version: record.version, sealed: record.sealed };
    if ((await openSealedValue(deps, ids, entry, 'the app environment')) === input.set[name])
      same.set(name, record.version);
  }
  return same;
}

/** Whether the live release carries exactly these secrets (same names, same versions): nothing is pending. */
async function isSnapshotOf(tx: Repositories, releaseId: string, stored: readonly SecretRecord[]): Promise<boolean> {
  const carried = await tx.secrets.listForRelease(releaseId);
  return (
    carried.length === stored.length &&
    carried.every((c) => stored.some((s) => s.name === c.name && s.version === c.version))
  );
}
