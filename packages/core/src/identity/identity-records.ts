/** Persisted identity records: users and their grants, API tokens, sessions with their refresh tokens, signing keys. Times are epoch ms. */
import type { Role } from '@slipway/contract';

export interface UserRecord {
  /** `usr_…` */
  id: string;
  /** Unique login name. */
  name: string;
  /** The encoded password hash (algorithm, parameters, salt, hash), or null: password login is closed. */
  passwordHash: string | null;
  createdAtMs: number;
  updatedAtMs: number;
}

/** A role granted to a user on a project, or globally when `projectId` is null; one per user and scope. */
export interface GrantRecord {
  userId: string;
  projectId: string | null;
  role: Role;
  createdAtMs: number;
}

export interface ApiTokenRecord {
  /** `tok_…` */
  id: string;
  userId: string;
  name: string;
  /** SHA-256 (hex) of the secret; the secret itself is shown once and never stored. */
  tokenHash: string;
  /** Narrows the token to this project. */
  projectId: string | null;
  /** Caps the token's role. */
  maxRole: Role | null;
  createdAtMs: number;
  expiresAtMs: number | null;
  /** Updated at most once per `lastUsedResolutionMs`, so using a token costs no write on most requests. */
  lastUsedAtMs: number | null;
  revokedAtMs: number | null;
}

/** A login: one family of rotating refresh tokens; revoking it ends every access token it issued at once. */
export interface SessionRecord {
  /** `ses_…` */
  id: string;
  userId: string;
  createdAtMs: number;
  /** Absolute end of the session, however often it is refreshed. */
  expiresAtMs: number;
  revokedAtMs: number | null;
  /** Why: `logout`, `refresh-token-reuse`, `password-changed`. */
  revokedReason: string | null;
}

/** A single-use refresh token of a session; using one marks it used and issues its successor. */
export interface RefreshTokenRecord {
  /** `rft_…` */
  id: string;
  sessionId: string;
  /** SHA-256 (hex) of the secret. */
  tokenHash: string;
  createdAtMs: number;
  expiresAtMs: number;
  /** Set when it was exchanged; presenting it again is reuse, and revokes the session. */
  usedAtMs: number | null;
}

/** A key that signs access tokens. The active one has a private key; retired ones only verify, until `verifyUntilMs`. */
export interface SigningKeyRecord {
  /** The JWT `kid`, `key_…`. */
  id: string;
  algorithm: 'EdDSA';
  /** SPKI PEM. */
  publicKey: string;
  /** PKCS#8 PEM; null once retired. */
  privateKey: string | null;
  createdAtMs: number;
  retiredAtMs: number | null;
  /** After this the key verifies nothing (every token it signed has expired); null while active. */
  verifyUntilMs: number | null;
}
