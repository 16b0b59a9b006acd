/**
 * A git repository Slipway deploys from, as stored: where it is (a URL without credentials), which host serves it,
 * and how Slipway authenticates to it (a deploy key it generated, or a token), the secret half sealed.
 */
import type { SealedSecret } from '../domain/secret-records.js';
import type { RepositoryDataKey } from './repository-credential-vault.js';

/** The hosts Slipway knows; `hosted` is a repository slipwayd serves itself, `generic` any other git server. */
export const repositoryProviders = ['github', 'gitlab', 'gitea', 'bitbucket', 'hosted', 'generic'] as const;
export type RepositoryProvider = (typeof repositoryProviders)[number];

/**
 * How Slipway authenticates to the repository: `ssh-key` (an ed25519 deploy key Slipway generated; the user adds
 * its public half to the host), `token` (HTTP Basic with a token as password), `none` (a public repository).
 */
export type RepositoryAuthKind = 'ssh-key' | 'token' | 'none';

/** The sealed credential of a repository and the data key (wrapped under the master key) that seals it. */
export interface SealedRepositoryCredential {
  readonly dataKey: RepositoryDataKey;
  readonly sealed: SealedSecret;
}

export interface GitRepositoryRecord {
  /** `repo_…`: what webhooks and deployment sources name. */
  readonly id: string;
  readonly projectId: string;
  /** Unique within the project; a DNS-label-like name (`api`, `web-frontend`). */
  readonly name: string;
  readonly provider: RepositoryProvider;
  /** The clone URL, never with credentials (`git@github.com:acme/api.git`, `https://gitlab.com/acme/api.git`). */
  readonly url: string;
  readonly authKind: RepositoryAuthKind;
  /** The deploy key's public half in OpenSSH form (`ssh-ed25519 AAAA… slipway-<id>`); null unless `ssh-key`. */
  readonly publicKey: string | null;
  /** The private key (`ssh-key`) or the token (`token`), sealed; null for `none`. */
  readonly credential: SealedRepositoryCredential | null;
  readonly createdAtMs: number;
  readonly updatedAtMs: number;
}

/** A repository's credential in clear: only ever in memory, for one git call. */
export type RepositoryCredential =
  | { readonly kind: 'ssh-key'; readonly privateKey: string }
  | { readonly kind: 'token'; readonly username: string; readonly token: string };
