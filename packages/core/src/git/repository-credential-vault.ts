/**
 * Seals and opens a repository's credential (deploy key or token) with the secret cipher, under a data key of the
 * repository's own (repositories belong to a project, not to an app environment), bound to the repository and its
 * project: a sealed credential copied onto another repository fails to open.
 */
import type { CoreDeps } from '../core-deps.js';
import type { DataKeyRecord } from '../domain/secret-records.js';
import type {
  GitRepositoryRecord,
  RepositoryCredential,
  SealedRepositoryCredential,
} from './git-repository-records.js';

/** A repository's data key, wrapped under the master key `masterKeyId` (its fingerprint, never the key). */
export interface RepositoryDataKey {
  readonly id: string;
  readonly wrappedKey: string;
  readonly masterKeyId: string;
  readonly wrappedAtMs: number;
}

type VaultDeps = Pick<CoreDeps, 'secretCipher' | 'ids' | 'clock'>;

const credentialName = 'slipway/repository-credential';

function asDataKeyRecord(
  repository: Pick<GitRepositoryRecord, 'id' | 'projectId'>,
  key: RepositoryDataKey,
): DataKeyRecord {
  return {
    id: key.id,
    appId: repository.id,
    environmentId: repository.projectId,
    wrappedKey: key.wrappedKey,
    masterKeyId: key.masterKeyId,
    createdAtMs: key.wrappedAtMs,
    wrappedAtMs: key.wrappedAtMs,
  };
}

function contextOf(repository: Pick<GitRepositoryRecord, 'id' | 'projectId'>) {
  return { appId: repository.id, environmentId: repository.projectId, name: credentialName, version: 1 };
}

/** Seals `credential` under a fresh data key of the repository. Errors: `SECRET_UNREADABLE`. */
export function sealRepositoryCredential(
  deps: VaultDeps,
  repository: Pick<GitRepositoryRecord, 'id' | 'projectId'>,
  credential: RepositoryCredential,
): SealedRepositoryCredential {
  const id = deps.ids.next('dk');
  const wrapped = deps.secretCipher.createDataKey({ id, appId: repository.id, environmentId: repository.projectId });
  const dataKey: RepositoryDataKey = { id, ...wrapped, wrappedAtMs: deps.clock.nowMs() };
  const sealed = deps.secretCipher.seal(
    asDataKeyRecord(repository, dataKey),
    contextOf(repository),
    JSON.stringify(credential),
  );
  return { dataKey, sealed };
}

/** The repository's credential in clear, for one git call; undefined for `none`. Errors: `SECRET_UNREADABLE`. */
export function openRepositoryCredential(
  deps: Pick<CoreDeps, 'secretCipher'>,
  repository: GitRepositoryRecord,
): RepositoryCredential | undefined {
  if (repository.credential === null) return undefined;
  const { dataKey, sealed } = repository.credential;
  const text = deps.secretCipher.open(asDataKeyRecord(repository, dataKey), contextOf(repository), sealed);
  return JSON.parse(text) as RepositoryCredential;
}

/** The sealed credential with its data key re-wrapped under the current master key (a master-key rotation). */
export function rewrapRepositoryCredential(
  deps: Pick<CoreDeps, 'secretCipher' | 'clock'>,
  repository: GitRepositoryRecord,
): SealedRepositoryCredential | null {
  if (repository.credential === null) return null;
  const { dataKey, sealed } = repository.credential;
  const wrapped = deps.secretCipher.rewrap(asDataKeyRecord(repository, dataKey));
  return { dataKey: { id: dataKey.id, ...wrapped, wrappedAtMs: deps.clock.nowMs() }, sealed };
}
