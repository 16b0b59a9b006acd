/** slipwayd's options for the persisted log and its drains (docs/logs.md); every member has its default. */
import { z } from 'zod';
import { defaultLogSettings } from '@slipway/core';
import { option, text, type RawValue } from './config-option.js';
import { defaultDrainSettings } from './log-drain-settings.js';

const ms = (max: number) => z.number().int().min(1).max(max);

export const logsConfigSchema = z
  .object({
    retentionMs: ms(10 * 365 * 86_400_000).default(defaultLogSettings.retentionMs),
    maxBytesPerApp: z
      .number()
      .int()
      .min(1024)
      .max(2 ** 40)
      .default(defaultLogSettings.maxBytesPerApp),
    maxQueuedLinesPerApp: z.number().int().min(10).max(1_000_000).default(defaultLogSettings.maxQueuedLinesPerApp),
    retentionIntervalMs: ms(86_400_000).default(defaultLogSettings.retentionIntervalMs),
    backlogLines: z.number().int().min(0).max(100_000).default(defaultLogSettings.backlogLines),
    drainBatchLines: z.number().int().min(1).max(10_000).default(defaultDrainSettings.batchLines),
    drainTimeoutMs: ms(300_000).default(defaultDrainSettings.timeoutMs),
    drainRetryBaseMs: ms(3_600_000).default(defaultDrainSettings.retryBaseMs),
    drainRetryMaxMs: ms(3_600_000).default(defaultDrainSettings.retryMaxMs),
  })
  .strict();

export const logOptions = {
  logs: option({
    schema: logsConfigSchema,
    default: logsConfigSchema.parse({}),
    inputs: [
      {
        flag: 'log-retention-ms',
        env: 'SLIPWAY_LOG_RETENTION_MS',
        argument: 'MS',
        help: 'how long app and deployment log lines are kept, per app (default 604800000: 7 days)',
      },
      {
        flag: 'log-max-bytes-per-app',
        env: 'SLIPWAY_LOG_MAX_BYTES_PER_APP',
        argument: 'BYTES',
        help: "the text an app's kept log lines may hold (default 67108864: 64 MiB)",
      },
    ],
    read: (given: Readonly<Record<string, RawValue>>) => {
      const [retention, size] = [text(given, 'log-retention-ms'), text(given, 'log-max-bytes-per-app')];
      const out = {
        ...(retention === undefined ? {} : { retentionMs: Number(retention) }),
        ...(size === undefined ? {} : { maxBytesPerApp: Number(size) }),
      };
      return Object.keys(out).length === 0 ? undefined : out;
    },
  }),
};
