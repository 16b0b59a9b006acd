/**
 * The audit log's retention: records older than `auditRetentionDays` are pruned at start and then hourly; the last
 * pruned record's hash stays as the chain's checkpoint, so `audit verify` keeps working.
 */
import type { AuditLog, Logger } from '@slipway/core';

const dayMs = 24 * 3_600_000;
const pruneIntervalMs = 3_600_000;

export interface AuditRetention {
  stop(): Promise<void>;
}

export function startAuditRetention(options: {
  audit: AuditLog;
  retentionDays: number;
  logger: Logger;
}): AuditRetention {
  const { audit, logger } = options;
  let running: Promise<unknown> = Promise.resolve();
  const prune = (): void => {
    running = audit
      .prune(options.retentionDays * dayMs)
      .catch((error: unknown) => logger.error({ err: error }, 'audit pruning failed'));
  };
  prune();
  const timer = setInterval(prune, pruneIntervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
