/** One retention pass over the persisted log: each app's lines older than its retention, then past its size budget, go. */
import type { CoreDeps } from '../core-deps.js';
import { appRetention, type LogSettings } from './log-settings.js';

export interface LogRetentionResult {
  /** Lines deleted for their age. */
  expired: number;
  /** Lines deleted to keep an app within its size budget. */
  overBudget: number;
}

/** Prunes every app that holds lines. Idempotent. */
export async function pruneLogs(
  deps: Pick<CoreDeps, 'store' | 'clock'>,
  settings: LogSettings,
): Promise<LogRetentionResult> {
  const result: LogRetentionResult = { expired: 0, overBudget: 0 };
  for (const { appId } of await deps.store.logLines.usage()) {
    const retention = await appRetention(deps.store, settings, appId);
    result.expired += await deps.store.logLines.pruneBefore(appId, deps.clock.nowMs() - retention.retentionMs);
    result.overBudget += await deps.store.logLines.pruneToSize(appId, retention.maxBytes);
  }
  return result;
}
