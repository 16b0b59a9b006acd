/** The artifact port: where sources are fetched and built, and where immutable release artifacts live. */

export interface ArtifactStore {
  /** An empty working directory for the deployment's fetch and build (emptied if it exists). */
  createWorkspace(deploymentId: string): Promise<string>;
  /** Absolute path of an uploaded archive for the deployment (the server writes it there). */
  uploadPath(deploymentId: string): string;
  /**
   * Moves a built workspace to the release's artifact directory and returns that directory.
   * Idempotent: when the artifact already exists it is returned and the workspace is left alone.
   * Errors: `INTERNAL` when neither exists.
   */
  promote(deploymentId: string, releaseId: string): Promise<string>;
  /** True when the release's artifact directory exists. */
  hasArtifact(releaseId: string): Promise<boolean>;
  /** Deletes a release's artifact directory. Idempotent. */
  deleteArtifact(artifactDir: string): Promise<void>;
  /** Deletes the deployment's workspace and upload (complete or partial). Idempotent. */
  cleanDeployment(deploymentId: string): Promise<void>;
  /**
   * Deletes, among the uploads last written before `modifiedBeforeMs`, every partial one (an upload cut short by a
   * crash) and every complete one whose deployment `isWanted` does not want any more. Resolves to the number deleted.
   */
  pruneUploads(isWanted: (deploymentId: string) => Promise<boolean>, modifiedBeforeMs: number): Promise<number>;
  /**
   * Reads `slipway.yaml` (or `slipway.yml`) from a source tree and returns the parsed YAML document, or undefined
   * when there is none. Errors: `MANIFEST_INVALID` for a YAML syntax error, with line and column in the message.
   */
  readManifest(dir: string): Promise<unknown>;
}
