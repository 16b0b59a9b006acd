/** The source port: turns a directory, a git repository or an uploaded archive into a plain source tree. */
import type { SourceView } from '@slipway/contract';
import type { SealedSecret } from '../domain/secret-records.js';

/** What an `https://user:password@…` URL carried, split off it (see `git-credentials.ts`). */
export interface GitCredentials {
  username: string;
  password: string;
}

/**
 * Which local directories a `path` source or a local git repository may name: `anywhere` but slipwayd's own state
 * (the owner asked), or only under the operator's source path roots (`roots`, the default when absent).
 */
export type LocalSourceAccess = 'anywhere' | 'roots';

/** `manifest`: sent with the request; its top-level keys replace those of the source's `slipway.yaml`. */
export type SourceRequest = (
  | { kind: 'path'; path: string; localAccess?: LocalSourceAccess }
  /** `url` holds no credentials; `sealedCredentials` are opened for the fetch and given as `gitCredentials`. */
  | { kind: 'git'; url: string; ref?: string; localAccess?: LocalSourceAccess; sealedCredentials?: SealedSecret }
  /** `file` is the absolute path of the uploaded `.tar.gz`, kept by the server until the deployment ends. */
  | { kind: 'archive'; file: string; fileName: string; sizeBytes: number }
  /**
   * An exact commit of a repository Slipway knows (`slipway repos`), checked out of its mirror: `url` is the
   * repository's (credential-free) URL when the deployment was asked, for views; `ref` the full ref that led to the
   * commit (`refs/heads/main`), when one did; `path` a subdirectory of the repository to build from (`services/api`),
   * checked out as the source's root.
   */
  | { kind: 'repository'; repositoryId: string; url: string; ref?: string; commit: string; path?: string }
  /** A ready image: nothing is fetched, the build only resolves the image to its id. */
  | { kind: 'image'; image: string }
) & { manifest?: Record<string, unknown> };

export interface FetchOptions {
  /** Empty directory to write the source tree into. */
  destDir: string;
  /** Receives human-readable progress lines for the deployment log. */
  log: (line: string) => void;
  signal?: AbortSignal;
  /** For a git source: sent as HTTP authentication, never put in a URL, an argument or a log line. */
  gitCredentials?: GitCredentials;
}

export interface SourceFetcher {
  /**
   * Writes the source tree into `destDir` (without `.git`) and describes it (git: resolved commit).
   * Errors: `SOURCE_UNREACHABLE` (path/URL missing or unreachable), `SOURCE_REF_NOT_FOUND`, `SOURCE_INVALID`,
   * `SOURCE_PATH_NOT_ALLOWED` (a local directory its `localAccess` does not reach, or slipwayd's own state),
   * `ARCHIVE_UNSAFE` (absolute or `..` paths, links out of the tree, devices), `ARCHIVE_TOO_LARGE`.
   */
  fetch(request: SourceRequest, options: FetchOptions): Promise<SourceView>;
}
