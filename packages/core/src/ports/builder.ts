/** The build port: turns a source tree into a runnable artifact in place, and names its process types. */
import type { BuilderName, Manifest } from '@slipway/contract';

export interface BuildRequest {
  /** The source tree; the build runs in it and it becomes the release artifact. */
  dir: string;
  manifest: Manifest;
  /** Config the build may read (build-time env). */
  env: Readonly<Record<string, string>>;
  log: (line: string) => void;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface BuildResult {
  builder: BuilderName;
  /** Process type → shell command, before manifest overrides. Procfile entries override the builder's defaults. */
  processes: Record<string, { command: string }>;
}

export interface Builder {
  /**
   * Detects (or takes `manifest.build.builder`) and runs the build.
   * Errors: `BUILDER_NOT_DETECTED`, `BUILD_FAILED` (with the failing command and exit code in details), `BUILD_TIMEOUT`.
   */
  build(request: BuildRequest): Promise<BuildResult>;
}
