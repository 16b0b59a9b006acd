/** The identity tables as Kysely sees them (migration `0002-identities`); part of `Database`. */
import type { Role } from '@slipway/contract';
import type { BigIntColumn, NullableBigIntColumn } from './database.js';

export interface UserTable {
  id: string;
  name: string;
  password_hash: string | null;
  created_at_ms: BigIntColumn;
  updated_at_ms: BigIntColumn;
}

export interface GrantTable {
  user_id: string;
  /** A project id, or `*` for a global grant. */
  scope: string;
  role: Role;
  created_at_ms: BigIntColumn;
}

export interface ApiTokenTable {
  id: string;
  user_id: string;
  name: string;
  token_hash: string;
  project_id: string | null;
  max_role: Role | null;
  created_at_ms: BigIntColumn;
  expires_at_ms: NullableBigIntColumn;
  last_used_at_ms: NullableBigIntColumn;
  revoked_at_ms: NullableBigIntColumn;
}

export interface SessionTable {
  id: string;
  user_id: string;
  created_at_ms: BigIntColumn;
  expires_at_ms: BigIntColumn;
  revoked_at_ms: NullableBigIntColumn;
  revoked_reason: string | null;
}

export interface RefreshTokenTable {
  id: string;
  session_id: string;
  token_hash: string;
  created_at_ms: BigIntColumn;
  expires_at_ms: BigIntColumn;
  used_at_ms: NullableBigIntColumn;
}

export interface SigningKeyTable {
  id: string;
  algorithm: 'EdDSA';
  public_key: string;
  private_key: string | null;
  created_at_ms: BigIntColumn;
  retired_at_ms: NullableBigIntColumn;
  verify_until_ms: NullableBigIntColumn;
}

export interface IdentityTables {
  users: UserTable;
  grants: GrantTable;
  api_tokens: ApiTokenTable;
  sessions: SessionTable;
  refresh_tokens: RefreshTokenTable;
  signing_keys: SigningKeyTable;
}
