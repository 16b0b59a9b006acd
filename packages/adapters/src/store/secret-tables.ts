/** The secrets tables as Kysely sees them (migration `0003-secrets`); part of `Database`. No column holds a plain value. */
import type { BigIntColumn } from './database.js';

export interface DataKeyTable {
  id: string;
  app_id: string;
  environment_id: string;
  /** Base64 in the cipher's format; never the plain key. */
  wrapped_key: string;
  master_key_id: string;
  created_at_ms: BigIntColumn;
  wrapped_at_ms: BigIntColumn;
}

/** Sealed secrets; `data_key_id`, `nonce` and `ciphertext` are all null once the secret is unset. */
export interface SecretTable {
  app_id: string;
  environment_id: string;
  name: string;
  version: number;
  data_key_id: string | null;
  nonce: string | null;
  ciphertext: string | null;
  updated_at_ms: BigIntColumn;
}

/** The sealed secrets a release carries, copied from `secrets` when it was made. */
export interface ReleaseSecretTable {
  release_id: string;
  name: string;
  version: number;
  data_key_id: string;
  nonce: string;
  ciphertext: string;
}

export interface SecretTables {
  data_keys: DataKeyTable;
  secrets: SecretTable;
  release_secrets: ReleaseSecretTable;
}
