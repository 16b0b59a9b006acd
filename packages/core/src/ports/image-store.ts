/** The image port: the container images Slipway built, so images no retained release needs can be removed. */

export interface StoredImage {
  /** Image id, `sha256:…`. */
  id: string;
  /** Its `repository:tag` names. */
  references: string[];
  sizeBytes: number;
  createdAtMs: number;
}

export interface ImageStore {
  /** The images this Slipway built (labelled with its namespace), newest first. Errors: `RUNTIME_UNAVAILABLE`. */
  listBuilt(): Promise<StoredImage[]>;
  /**
   * Removes an image and its tags. `in-use` when a container (running or not) still uses it, which is left alone;
   * `absent` when there is no such image. Errors: `RUNTIME_UNAVAILABLE`.
   */
  remove(id: string): Promise<'removed' | 'in-use' | 'absent'>;
}
