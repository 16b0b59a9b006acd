/** Persistence of previews (migration `0018-previews`). */
import type { PreviewRecord, PreviewSettingsRecord } from '../git/preview-records.js';

export interface PreviewSettingsRepository {
  /** Inserts or replaces the app's settings. */
  put(record: PreviewSettingsRecord): Promise<void>;
  find(appId: string): Promise<PreviewSettingsRecord | undefined>;
  /** Settings of every app previewing this repository, by app id. */
  listByRepository(repositoryId: string): Promise<PreviewSettingsRecord[]>;
  /** Idempotent. */
  delete(appId: string): Promise<void>;
}

export interface PreviewRepository {
  /** Errors: `VALIDATION_FAILED` with details.conflict when the app has a preview of that number already. */
  insert(record: PreviewRecord): Promise<void>;
  /** Replaces the record with this id. */
  update(record: PreviewRecord): Promise<void>;
  find(appId: string, number: number): Promise<PreviewRecord | undefined>;
  /** The app's previews by number; all apps' when `appId` is undefined. */
  list(appId?: string): Promise<PreviewRecord[]>;
  /** Idempotent. */
  delete(id: string): Promise<void>;
}
