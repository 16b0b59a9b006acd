/** slipwayd's log settings and an app's effective retention (its override over slipwayd's defaults). */
import type { Store } from '../ports/store.js';

export interface LogSettings {
  /** Lines older than this are deleted (per app, unless the app overrides it). */
  readonly retentionMs: number;
  /** Text an app's lines may hold in all (UTF-8 bytes); the oldest go past it (unless the app overrides it). */
  readonly maxBytesPerApp: number;
  /** Lines waiting for the store, per app; past it lines are dropped and counted. */
  readonly maxQueuedLinesPerApp: number;
  /** Lines stored per transaction. */
  readonly linesPerTransaction: number;
  /** How often every app's lines are pruned by age (and size). */
  readonly retentionIntervalMs: number;
  /** Lines of an instance's output read back when it is first collected (or collected again after a restart). */
  readonly backlogLines: number;
  /** How often the runtimes' instances are looked up for ones to collect. */
  readonly discoveryIntervalMs: number;
}

export const defaultLogSettings: LogSettings = {
  retentionMs: 7 * 24 * 60 * 60 * 1000,
  maxBytesPerApp: 64 * 1024 * 1024,
  maxQueuedLinesPerApp: 10_000,
  linesPerTransaction: 500,
  retentionIntervalMs: 60_000,
  backlogLines: 1_000,
  discoveryIntervalMs: 1_000,
};

export interface AppRetention {
  retentionMs: number;
  maxBytes: number;
}

/** The app's retention: its override where it has one, else slipwayd's. */
export async function appRetention(
  store: Pick<Store, 'logSettings'>,
  settings: LogSettings,
  appId: string,
): Promise<AppRetention> {
  const override = await store.logSettings.find(appId);
  return {
    retentionMs: override?.retentionMs ?? settings.retentionMs,
    maxBytes: override?.maxBytes ?? settings.maxBytesPerApp,
  };
}
