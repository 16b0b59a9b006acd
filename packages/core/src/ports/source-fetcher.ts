/** The source port: turns a directory, a git repository or an uploaded archive into a plain source tree. */
import type { SourceView } from '@slipway/contract';

/** `manifest`: sent with the request; its top-level keys replace those of the source's `slipway.yaml`. */
export type SourceRequest = (
  | { kind: 'path'; path: string }
  | { kind: 'git'; url: string; ref?: string }
  /** `file` is the absolute path of the uploaded `.tar.gz`, kept by the server until the deployment ends. */
  | { kind: 'archive'; file: string; fileName: string; sizeBytes: number }
  /** A ready image: nothing is fetched, the build only resolves the image to its id. */
  | { kind: 'image'; image: string }
) & { manifest?: Record<string, unknown> };

export interface FetchOptions {
  /** Empty directory to write the source tree into. */
  destDir: string;
  /** Receives human-readable progress lines for the deployment log. */
  log: (line: string) => void;
  signal?: AbortSignal;
}

export interface SourceFetcher {
  /**
   * Writes the source tree into `destDir` (without `.git`) and describes it (git: resolved commit).
   * Errors: `SOURCE_UNREACHABLE` (path/URL missing or unreachable), `SOURCE_REF_NOT_FOUND`, `SOURCE_INVALID`,
   * `ARCHIVE_UNSAFE` (absolute or `..` paths, links out of the tree, devices), `ARCHIVE_TOO_LARGE`.
   */
  fetch(request: SourceRequest, options: FetchOptions): Promise<SourceView>;
}
