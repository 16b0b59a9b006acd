/** How full a filesystem is: what the `disk-usage` alert reads of the data dir's (implementation: `statfs`). */
export interface DiskUsageReading {
  sizeBytes: number;
  /** Bytes an unprivileged writer may still use (`f_bavail`), so reserved blocks count as used. */
  availableBytes: number;
}

export interface DiskUsage {
  /**
   * One reading of the filesystem holding the data dir. Read-only, idempotent.
   * Errors: `INTERNAL` when the filesystem cannot be read (the evaluator logs it and counts it as no data).
   */
  read(): Promise<DiskUsageReading>;
}
