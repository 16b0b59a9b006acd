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
  /**
   * Where an image build puts its image: the repository and tag to apply, and labels for the image (the namespace
   * label among them, so the image store finds what this Slipway built).
   */
  image: { repository: string; tag: string; labels: Readonly<Record<string, string>> };
  /** Build secrets, name → value (`build.secrets`): readable by the build's steps, never in a layer or the history. */
  secrets: Readonly<Record<string, string>>;
  /** The project the build belongs to: a sandboxing builder runs its steps as that project's user. */
  scope?: string;
}

export interface BuildResult {
  builder: BuilderName;
  /**
   * Process type → shell command, before manifest overrides. Procfile entries override the builder's defaults. For
   * an image, an empty command runs the image's own entrypoint and command. `release` is the release command (run
   * once per release before its rollout), not a process type.
   */
  processes: Record<string, { command: string }>;
  /**
   * A shell fragment (ending in `;`) the release runs before each process command and the release command, the
   * manifest's included: what the installed app needs at run time (its tools' directory first on PATH, NODE_ENV),
   * relative to the working directory. Absent when the app needs nothing.
   */
  runtimePrefix?: string;
  /** The image built or taken, for `dockerfile` and `image`; absent when the release runs its artifact directory. */
  image?: { reference: string; digest: string };
}

export interface Builder {
  /**
   * Detects (or takes `manifest.build.builder`) and runs the build.
   * Errors: `BUILDER_NOT_DETECTED`, `BUILD_FAILED` (with the failing command and exit code in details, or the failing
   * Dockerfile step), `BUILD_TIMEOUT`, `IMAGE_NOT_FOUND` (an `image:` the engine does not have and cannot pull),
   * `RUNTIME_UNAVAILABLE` (an image build with no engine answering).
   */
  build(request: BuildRequest): Promise<BuildResult>;
}
