/**
 * The git mirrors port: one bare mirror per repository in the data directory, fetched incrementally (only objects
 * the mirror lacks travel), so deploying a repository Slipway knows does not clone it again. Concurrent fetches of
 * one repository are coalesced: at most one runs, and callers arriving meanwhile share the next one.
 */
import type { RepositoryCredential } from '../git/git-repository-records.js';

/** What a mirror operation needs to reach the repository: its id (the mirror's name), URL and opened credential. */
export interface GitRemote {
  readonly repositoryId: string;
  /** Without credentials. */
  readonly url: string;
  readonly credential: RepositoryCredential | undefined;
  /** How the repository is shown in logs and errors when not by `url` (a hosted repository's path stays hidden). */
  readonly label?: string;
}

/** A branch or tag head: the full ref (`refs/heads/main`, `refs/tags/v1.2.0`) and its commit (peeled for tags). */
export interface RemoteHead {
  readonly ref: string;
  readonly commit: string;
}

export interface MirrorSync {
  /** The mirror's branches and tags after the fetch, sorted by ref. */
  readonly heads: readonly RemoteHead[];
}

export interface MirrorCallOptions {
  /** Progress lines for a deployment log (never holding a credential). */
  readonly log?: (line: string) => void;
  readonly signal?: AbortSignal;
  /**
   * For `checkout`: the full ref that led to the commit. When the commit is not in the mirror after a sync and the
   * ref is outside branches and tags (`refs/pull/7/head`, `refs/merge-requests/7/head`: a fork's pull request), that
   * ref is fetched too.
   */
  readonly ref?: string;
  /** For `checkout`: only this subdirectory of the commit (`services/api`), written as the directory's root. */
  readonly path?: string;
}

export interface GitMirrors {
  /**
   * Fetches the remote's branches and tags into the mirror (creating it on first use; pruning deleted refs), coalesced
   * with a fetch of the same repository already running. Errors: `SOURCE_UNREACHABLE` (unreachable, refused
   * credentials, deadline passed), `INTERRUPTED` (signal).
   */
  sync(remote: GitRemote, options?: MirrorCallOptions): Promise<MirrorSync>;
  /** The commit `ref` (full ref, branch or tag name, or commit id) names in the mirror as it is; undefined if none. */
  resolve(repositoryId: string, ref: string): Promise<string | undefined>;
  /**
   * Writes the tree of exactly `commit` into the empty directory `destDir` (no `.git`, links out of the tree and
   * ignored files removed), fetching first only when the mirror lacks the commit. Errors: `SOURCE_REF_NOT_FOUND`
   * (the remote has no such commit), those of `sync`.
   */
  checkout(remote: GitRemote, commit: string, destDir: string, options?: MirrorCallOptions): Promise<void>;
  /** The remote's branches and tags as it advertises them now, without fetching (`git ls-remote`). Errors: those of `sync`. */
  listRemoteHeads(remote: GitRemote, options?: MirrorCallOptions): Promise<RemoteHead[]>;
  /** Deletes the repository's mirror. Idempotent. */
  remove(repositoryId: string): Promise<void>;
}
