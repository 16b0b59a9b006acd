/** What the process runtime driver is built with: where its state lives, its ports, its logs, its sandbox. */
import type { Logger } from '@slipway/core';
import type { ProcessSandbox } from '../sandbox/process-sandbox.js';
import type { RetiredLogLimits } from './retired-instance-logs.js';

export interface ProcessDriverOptions {
  /** One directory per instance goes here: `instance.json`, `stdout.log`, `stderr.log` and their rotated copies. */
  stateDir: string;
  /** Inclusive range `PORT` is allocated from. */
  portRange: { from: number; to: number };
  /** Address instances are reached at (reported in their status); default 127.0.0.1. */
  host?: string;
  /** A log file over this size is rotated; default 10 MiB. */
  logMaxBytes?: number;
  /** Rotated files kept per stream; default 3. */
  logFiles?: number;
  /**
   * When given, every instance runs in this sandbox as the user of its project (`spec.networkScope`), seeing only its
   * release (read-only), its scratch dir and the system's runtimes. Absent: instances run as slipwayd's own user and
   * see what it sees.
   */
  sandbox?: ProcessSandbox;
  /**
   * Where the logs of removed instances are kept, and for how long (`retired-instance-logs.ts`); default a
   * `<stateDir>-retired` directory, a day and 256 MiB in all.
   */
  retiredLogs?: { dir?: string } & Partial<RetiredLogLimits>;
  logger: Logger;
}
