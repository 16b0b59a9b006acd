/** The identity part of the Store port: users and grants, API tokens, sessions and refresh tokens, signing keys. */
import type {
  ApiTokenRecord,
  GrantRecord,
  RefreshTokenRecord,
  SessionRecord,
  SigningKeyRecord,
  UserRecord,
} from '../identity/identity-records.js';

export interface UserRepository {
  /** Errors: `USER_ALREADY_EXISTS` when the name is taken. */
  insert(record: UserRecord): Promise<void>;
  findById(id: string): Promise<UserRecord | undefined>;
  findByName(name: string): Promise<UserRecord | undefined>;
  /** Ordered by name. */
  list(): Promise<UserRecord[]>;
  count(): Promise<number>;
  /** Replaces the password hash (null closes password login). Errors: `USER_NOT_FOUND`. */
  setPasswordHash(userId: string, passwordHash: string | null, atMs: number): Promise<void>;
  /** The user's grants, global first, then by project id. */
  listGrants(userId: string): Promise<GrantRecord[]>;
  /** Grants of every user holding `role` globally. */
  listGlobalGrants(role: GrantRecord['role']): Promise<GrantRecord[]>;
  /** Sets the user's role on the grant's scope (project or global), replacing the one there. Idempotent. */
  putGrant(grant: GrantRecord): Promise<void>;
  /** Removes the user's grant on `projectId` (null: the global one); false when there was none. */
  deleteGrant(userId: string, projectId: string | null): Promise<boolean>;
}

export interface ApiTokenRepository {
  insert(record: ApiTokenRecord): Promise<void>;
  findById(id: string): Promise<ApiTokenRecord | undefined>;
  /** By the SHA-256 of the presented secret. */
  findByHash(tokenHash: string): Promise<ApiTokenRecord | undefined>;
  /** The user's tokens, oldest first, revoked ones included. */
  listByUser(userId: string): Promise<ApiTokenRecord[]>;
  /** Records a use at `atMs`. */
  touch(id: string, atMs: number): Promise<void>;
  /** Marks the token revoked at `atMs`; false when it was revoked already or does not exist. */
  revoke(id: string, atMs: number): Promise<boolean>;
}

export interface SessionRepository {
  insert(record: SessionRecord): Promise<void>;
  findById(id: string): Promise<SessionRecord | undefined>;
  /** Revokes the session (the first revocation and its reason are kept). Idempotent. */
  revoke(id: string, atMs: number, reason: string): Promise<void>;
  /** Revokes every session of the user that is not revoked yet; returns how many. */
  revokeAllOfUser(userId: string, atMs: number, reason: string): Promise<number>;
  insertRefreshToken(record: RefreshTokenRecord): Promise<void>;
  findRefreshTokenByHash(tokenHash: string): Promise<RefreshTokenRecord | undefined>;
  /** Marks the refresh token used if it is not yet; false when it was (a reuse) — the check and the write are atomic. */
  markRefreshTokenUsed(id: string, atMs: number): Promise<boolean>;
  /** Deletes sessions (and their refresh tokens) that ended before `beforeMs`; returns how many. */
  deleteEnded(beforeMs: number): Promise<number>;
}

export interface SigningKeyRepository {
  insert(record: SigningKeyRecord): Promise<void>;
  findById(id: string): Promise<SigningKeyRecord | undefined>;
  /** The newest key that is not retired. */
  findActive(): Promise<SigningKeyRecord | undefined>;
  /** Keys that still verify at `nowMs` (active, or retired with `verifyUntilMs` after it), newest first. */
  listVerifying(nowMs: number): Promise<SigningKeyRecord[]>;
  /** Retires the key: drops its private key, keeps its public key until `verifyUntilMs`. */
  retire(id: string, retiredAtMs: number, verifyUntilMs: number): Promise<void>;
  /** Deletes retired keys whose `verifyUntilMs` is at or before `nowMs`; returns how many. */
  deleteExpired(nowMs: number): Promise<number>;
}
