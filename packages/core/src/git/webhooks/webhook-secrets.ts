/**
 * A repository's webhook secret: made by Slipway (256 random bits), shown once when made, stored sealed under a data
 * key of the repository's own and bound to the repository, so a sealed secret copied onto another repository fails
 * to open. Rotating keeps the previous secret valid for a grace period, so deliveries signed before the provider's
 * settings were changed still pass.
 */
import { randomBytes } from 'node:crypto';
import type { CoreDeps } from '../../core-deps.js';
import type { DataKeyRecord, SealedSecret } from '../../domain/secret-records.js';
import type { WebhookSecretRecord } from '../../ports/git-webhook-repository.js';
import type { GitRepositoryRecord } from '../git-repository-records.js';

type SecretDeps = Pick<CoreDeps, 'store' | 'secretCipher' | 'ids' | 'clock'>;
type RepositoryScope = Pick<GitRepositoryRecord, 'id' | 'projectId'>;

const secretName = 'slipway/webhook-secret';

function dataKeyOf(
  repository: RepositoryScope,
  record: Pick<WebhookSecretRecord, 'dataKey' | 'rotatedAtMs'>,
): DataKeyRecord {
  return {
    ...record.dataKey,
    appId: repository.id,
    environmentId: repository.projectId,
    createdAtMs: record.rotatedAtMs,
    wrappedAtMs: record.rotatedAtMs,
  };
}

function contextOf(repository: RepositoryScope, version: number) {
  return { appId: repository.id, environmentId: repository.projectId, name: secretName, version };
}

export interface RotatedWebhookSecret {
  /** The new secret in clear: shown once, to paste into the provider's webhook settings. */
  readonly secret: string;
  readonly version: number;
  /** Until when the previous secret is still accepted; null when there was none or the grace is 0. */
  readonly previousValidUntilMs: number | null;
}

/**
 * Makes a new webhook secret for the repository (the first one, or a rotation keeping the current one valid for
 * `graceMs`). Errors: `SECRET_UNREADABLE` when the stored data key cannot be unwrapped.
 */
export async function rotateWebhookSecret(
  deps: SecretDeps,
  repository: RepositoryScope,
  graceMs: number,
): Promise<RotatedWebhookSecret> {
  const nowMs = deps.clock.nowMs();
  const existing = await deps.store.gitWebhooks.findSecret(repository.id);
  const dataKey =
    existing?.dataKey ??
    (() => {
      const id = deps.ids.next('dk');
      return {
        id,
        ...deps.secretCipher.createDataKey({ id, appId: repository.id, environmentId: repository.projectId }),
      };
    })();
  const version = (existing?.current.version ?? 0) + 1;
  const secret = randomBytes(32).toString('base64url');
  const keyRecord = dataKeyOf(repository, { dataKey, rotatedAtMs: nowMs });
  const sealed = deps.secretCipher.seal(keyRecord, contextOf(repository, version), secret);
  const previous =
    existing === undefined || graceMs <= 0
      ? null
      : { version: existing.current.version, sealed: existing.current.sealed, untilMs: nowMs + graceMs };
  await deps.store.gitWebhooks.putSecret({
    repositoryId: repository.id,
    dataKey,
    current: { version, sealed },
    previous,
    rotatedAtMs: nowMs,
  });
  return { secret, version, previousValidUntilMs: previous?.untilMs ?? null };
}

/**
 * Re-wraps the data key of every repository's webhook secret still wrapped by another master key than the current
 * one (a master-key rotation); returns how many. Errors: `SECRET_UNREADABLE` when no held master key opens one.
 */
export async function rewrapWebhookSecrets(deps: Pick<CoreDeps, 'store' | 'secretCipher'>): Promise<number> {
  const current = deps.secretCipher.currentMasterKeyId();
  let rewrapped = 0;
  for (const record of await deps.store.gitWebhooks.listSecrets()) {
    if (record.dataKey.masterKeyId === current) continue;
    const repository = await deps.store.gitRepositories.findById(record.repositoryId);
    if (repository === undefined) continue;
    const wrapped = deps.secretCipher.rewrap(dataKeyOf(repository, record));
    await deps.store.gitWebhooks.putSecret({ ...record, dataKey: { id: record.dataKey.id, ...wrapped } });
    rewrapped += 1;
  }
  return rewrapped;
}

interface OpenedSecrets {
  readonly current: string;
  readonly previous: { readonly secret: string; readonly untilMs: number } | null;
}

/**
 * Secrets opened before, by repository and rotation, in this process's memory only: a busy repository's deliveries
 * do not each unwrap its data key and decrypt its secret. A rotation changes the key, so a stale entry is never used;
 * at most `maxEntries` are kept (the oldest dropped first).
 */
export interface WebhookSecretCache {
  get(key: string): OpenedSecrets | undefined;
  set(key: string, secrets: OpenedSecrets): void;
}

export function createWebhookSecretCache(maxEntries = 1_000): WebhookSecretCache {
  const entries = new Map<string, OpenedSecrets>();
  return {
    get: (key) => entries.get(key),
    set(key, secrets) {
      entries.set(key, secrets);
      for (const oldest of entries.keys()) {
        if (entries.size <= maxEntries) break;
        entries.delete(oldest);
      }
    },
  };
}

function openedSecrets(
  deps: Pick<CoreDeps, 'secretCipher'>,
  repository: RepositoryScope,
  record: WebhookSecretRecord,
): OpenedSecrets {
  const open = (version: number, sealed: SealedSecret): string =>
    deps.secretCipher.open(dataKeyOf(repository, record), contextOf(repository, version), sealed);
  return {
    current: open(record.current.version, record.current.sealed),
    previous:
      record.previous === null
        ? null
        : { secret: open(record.previous.version, record.previous.sealed), untilMs: record.previous.untilMs },
  };
}

/**
 * The secrets a delivery may be signed with now: the current one, and the previous one until its grace ends. Empty
 * when the repository has none (every delivery is then refused). Errors: `SECRET_UNREADABLE`.
 */
export function openWebhookSecrets(
  deps: Pick<CoreDeps, 'secretCipher'>,
  repository: RepositoryScope,
  record: WebhookSecretRecord | undefined,
  nowMs: number,
  cache?: WebhookSecretCache,
): string[] {
  if (record === undefined) return [];
  const key = `${repository.id}\u0000${record.current.version}\u0000${record.rotatedAtMs}`;
  let opened = cache?.get(key);
  if (opened === undefined) {
    opened = openedSecrets(deps, repository, record);
    cache?.set(key, opened);
  }
  const secrets = [opened.current];
  if (opened.previous !== null && nowMs < opened.previous.untilMs) secrets.push(opened.previous.secret);
  return secrets;
}
