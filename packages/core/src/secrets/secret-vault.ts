/**
 * Secrets at rest through the cipher: seals values under the app environment's data key, opens what an app
 * environment or a release carries, and re-wraps data keys under the current master key. Values live in memory
 * only as long as a caller holds them; nothing here logs or stores one in plaintext.
 */
import { isSlipwayError, SlipwayError } from '@slipway/contract';
import type { CoreDeps } from '../core-deps.js';
import type { ReleaseRecord } from '../domain/records.js';
import type { DataKeyRecord, SealedSecret } from '../domain/secret-records.js';
import type { Repositories } from '../ports/store.js';
import { createSecretMasker, type SecretMasker } from './secret-masker.js';

export interface SecretScope {
  appId: string;
  environmentId: string;
}

type VaultDeps = Pick<CoreDeps, 'store' | 'secretCipher' | 'ids' | 'clock'>;

/** A sealed value with the name and version it is bound to. */
interface SealedEntry {
  name: string;
  version: number;
  sealed: SealedSecret;
}

/** The app environment's current data key, created (wrapped under the current master key) on first use. */
export async function ensureDataKey(deps: VaultDeps, tx: Repositories, scope: SecretScope): Promise<DataKeyRecord> {
  const current = await tx.dataKeys.findCurrent(scope.appId, scope.environmentId);
  if (current) return current;
  const id = deps.ids.next('dk');
  const now = deps.clock.nowMs();
  const record: DataKeyRecord = {
    id,
    appId: scope.appId,
    environmentId: scope.environmentId,
    ...deps.secretCipher.createDataKey({ id, ...scope }),
    createdAtMs: now,
    wrappedAtMs: now,
  };
  await tx.dataKeys.insert(record);
  return record;
}

/** Seals `value` as version `version` of secret `name` of the app environment. Errors: `SECRET_UNREADABLE`. */
export async function sealSecret(
  deps: VaultDeps,
  tx: Repositories,
  scope: SecretScope,
  name: string,
  version: number,
  value: string,
): Promise<SealedSecret> {
  const dataKey = await ensureDataKey(deps, tx, scope);
  return deps.secretCipher.seal(dataKey, { ...scope, name, version }, value);
}

/** Opens one value sealed with `sealSecret` under this name and version. Errors: `SECRET_UNREADABLE`. */
export async function openSealedValue(
  deps: VaultDeps,
  scope: SecretScope,
  entry: SealedEntry,
  where: string,
): Promise<string> {
  return (await openEntries(deps, scope, [entry], where))[entry.name] ?? '';
}

async function openEntries(
  deps: VaultDeps,
  scope: SecretScope,
  entries: readonly SealedEntry[],
  where: string,
): Promise<Record<string, string>> {
  const dataKeys = new Map<string, DataKeyRecord>();
  const values: Record<string, string> = {};
  for (const entry of entries) {
    const dataKeyId = entry.sealed.dataKeyId;
    let dataKey = dataKeys.get(dataKeyId);
    if (!dataKey) {
      dataKey = await deps.store.dataKeys.findById(dataKeyId);
      if (!dataKey || dataKey.appId !== scope.appId || dataKey.environmentId !== scope.environmentId) {
        throw new SlipwayError('SECRET_UNREADABLE', `secret ${entry.name} of ${where} has no data key of its own`, {
          details: { name: entry.name, dataKeyId },
        });
      }
      dataKeys.set(dataKeyId, dataKey);
    }
    try {
      values[entry.name] = deps.secretCipher.open(
        dataKey,
        { ...scope, name: entry.name, version: entry.version },
        entry.sealed,
      );
    } catch (error) {
      if (!isSlipwayError(error)) throw error;
      throw new SlipwayError(
        'SECRET_UNREADABLE',
        `secret ${entry.name} of ${where} cannot be decrypted: ${error.message}`,
        {
          details: { name: entry.name, version: entry.version },
          cause: error,
        },
      );
    }
  }
  return values;
}

/** The values of the secrets the app environment has now, by name. Errors: `SECRET_UNREADABLE`. */
export async function openCurrentSecrets(deps: VaultDeps, scope: SecretScope): Promise<Record<string, string>> {
  const records = await deps.store.secrets.list(scope.appId, scope.environmentId);
  const entries = records.flatMap((r) =>
    r.sealed === null ? [] : [{ name: r.name, version: r.version, sealed: r.sealed }],
  );
  return openEntries(deps, scope, entries, 'the app environment');
}

/** The values of the secrets a release carries (as they were when it was made), by name. Errors: `SECRET_UNREADABLE`. */
export async function openReleaseSecrets(deps: VaultDeps, release: ReleaseRecord): Promise<Record<string, string>> {
  const entries = await deps.store.secrets.listForRelease(release.id);
  if (entries.length === 0) return {};
  const scope = { appId: release.appId, environmentId: release.environmentId };
  return openEntries(deps, scope, entries, `release ${release.number}`);
}

/**
 * A masker for what instances of these releases print: the values the releases carry. A release whose secrets do not
 * open is skipped — its instances could not have been given them either — so showing output never fails on it.
 */
export async function maskerForReleases(deps: VaultDeps, releaseIds: Iterable<string>): Promise<SecretMasker> {
  const values: string[] = [];
  for (const releaseId of new Set(releaseIds)) {
    const release = await deps.store.releases.findById(releaseId);
    if (!release) continue;
    try {
      values.push(...Object.values(await openReleaseSecrets(deps, release)));
    } catch (error) {
      if (!isSlipwayError(error) || error.code !== 'SECRET_UNREADABLE') throw error;
    }
  }
  return createSecretMasker(values);
}

/** Data keys re-wrapped per pass; a pass is one read and one write per key, never one long transaction. */
const rewrapBatchSize = 100;

/**
 * Re-wraps every data key not wrapped by the current master key, until none is left, and returns how many it
 * re-wrapped. Sealed values are untouched. Safe beside writers: a key created meanwhile is wrapped under the current
 * master key already, and a key re-wrapped by someone else is skipped. Errors: `SECRET_UNREADABLE` when a data key
 * is wrapped by a master key the cipher does not hold.
 */
export async function rewrapDataKeys(deps: VaultDeps): Promise<number> {
  let rewrapped = 0;
  for (;;) {
    const masterKeyId = deps.secretCipher.currentMasterKeyId();
    const batch = await deps.store.dataKeys.listNotWrappedBy(masterKeyId, rewrapBatchSize);
    if (batch.length === 0) return rewrapped;
    for (const dataKey of batch) {
      const wrapped = deps.secretCipher.rewrap(dataKey);
      const isWritten = await deps.store.dataKeys.rewrap(dataKey.id, dataKey.masterKeyId, {
        ...wrapped,
        wrappedAtMs: deps.clock.nowMs(),
      });
      if (isWritten) rewrapped += 1;
    }
  }
}

/** Data keys wrapped by a master key the cipher does not hold, per master key id; empty when every key opens. */
export async function unknownMasterKeys(
  deps: Pick<CoreDeps, 'store' | 'secretCipher'>,
): Promise<Record<string, number>> {
  const counts = await deps.store.dataKeys.countByMasterKey();
  return Object.fromEntries(Object.entries(counts).filter(([id]) => !deps.secretCipher.hasMasterKey(id)));
}
