/**
 * Where the persisted log lives: the lines of app instances and deployments (numbered by one id that only grows), each
 * app's retention override, and log drains with their delivery cursor. Part of the `Store`.
 */
import type { LogDrainRecord, LogLineRecord, LogSettingsRecord, NewLogLine } from '../logs/log-records.js';

export interface LogLineQuery {
  appId: string;
  environment?: string;
  process?: string;
  /** Only lines whose id is greater. */
  afterId?: number;
  /** Only lines written at or after this time (ms since the epoch). */
  sinceMs?: number;
  /** Only lines written before this time (ms since the epoch). */
  untilMs?: number;
  /** Only lines containing this text (case-sensitive). */
  grep?: string;
  /** `asc`: the oldest matching lines first; `desc`: the newest first. */
  order: 'asc' | 'desc';
  limit: number;
}

export interface LogLineRepository {
  /** Stores the lines in order, each given the next id; returns the records as stored. */
  append(lines: readonly NewLogLine[]): Promise<LogLineRecord[]>;
  /** The lines matching the query, in the order asked for. */
  list(query: LogLineQuery): Promise<LogLineRecord[]>;
  /** Lines of apps of `appIds` (all apps when absent) with an id greater than `afterId`, oldest first. */
  listAfter(afterId: number, limit: number, appIds?: readonly string[]): Promise<LogLineRecord[]>;
  /** How many lines of `appIds` have an id greater than `afterId`, counted up to `limit`. */
  countAfter(afterId: number, appIds: readonly string[], limit: number): Promise<number>;
  /** The last `count` lines of one stream of an instance, oldest first. */
  lastOfInstance(instanceId: string, stream: 'stdout' | 'stderr', count: number): Promise<LogLineRecord[]>;
  /** The greatest id given so far (0 before any line). */
  lastId(): Promise<number>;
  /** Bytes of text (UTF-8) and lines each app holds, for the apps that hold any. */
  usage(): Promise<{ appId: string; sizeBytes: number; lines: number }[]>;
  /** Deletes the app's lines written before `beforeMs`; returns how many. */
  pruneBefore(appId: string, beforeMs: number): Promise<number>;
  /** Deletes the app's oldest lines until what is left holds at most `maxBytes`; returns how many. */
  pruneToSize(appId: string, maxBytes: number): Promise<number>;
}

export interface LogSettingsRepository {
  find(appId: string): Promise<LogSettingsRecord | undefined>;
  list(): Promise<LogSettingsRecord[]>;
  /** Creates or replaces the app's override. */
  put(record: LogSettingsRecord): Promise<void>;
}

export interface LogDrainRepository {
  insert(record: LogDrainRecord): Promise<void>;
  find(id: string): Promise<LogDrainRecord | undefined>;
  /** Every drain, or those of one project. */
  list(projectId?: string): Promise<LogDrainRecord[]>;
  /** Idempotent. */
  remove(id: string): Promise<void>;
  /** Records a delivered batch: the cursor moves to `afterId`, `delivered` grows by `count`. */
  markDelivered(id: string, afterId: number, count: number, atMs: number): Promise<void>;
  /**
   * Replaces the drain's wrapped data key (a master-key rotation) when it is still wrapped by `expectedMasterKeyId`;
   * returns whether it did.
   */
  rewrap(
    id: string,
    expectedMasterKeyId: string,
    wrapped: { wrappedKey: string; masterKeyId: string },
  ): Promise<boolean>;
  /** Records a failed attempt of `count` lines, with its error's code and words. */
  markFailed(id: string, count: number, error: { code: string; message: string }, atMs: number): Promise<void>;
}
