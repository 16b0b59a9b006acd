/** Keeps log files that running processes hold open under a size limit, copy-truncate style: `x.log` → `x.log.1` → … */
import { copyFile, rename, rm, stat, truncate } from 'node:fs/promises';
import type { Logger } from '@slipway/core';
import { isNotFound } from './instance-state-files.js';

export interface LogRotator {
  /** Checks every log file now (the periodic check runs the same); one run at a time. */
  rotateNow(): Promise<void>;
  /** Stops the periodic check and waits for a run in progress. */
  close(): Promise<void>;
}

export interface LogRotatorOptions {
  /** The log files to check, listed afresh on each run. */
  listLogPaths: () => Promise<string[]>;
  maxBytes: number;
  keep: number;
  intervalMs: number;
  logger: Logger;
}

export function createLogRotator(options: LogRotatorOptions): LogRotator {
  let running: Promise<void> | undefined;
  const timer = setInterval(() => void rotateNow(), options.intervalMs);
  // The check must not keep the control plane alive on its own.
  timer.unref();

  async function rotateAll(): Promise<void> {
    let paths: string[];
    try {
      paths = await options.listLogPaths();
    } catch (error) {
      options.logger.warn({ err: error }, 'log rotation failed');
      return;
    }
    for (const path of paths) {
      try {
        if (await rotateLogFile(path, { maxBytes: options.maxBytes, keep: options.keep })) {
          options.logger.debug({ path }, 'log rotated');
        }
      } catch (error) {
        options.logger.warn({ path, err: error }, 'log rotation failed');
      }
    }
  }

  function rotateNow(): Promise<void> {
    running ??= rotateAll().finally(() => {
      running = undefined;
    });
    return running;
  }

  return {
    rotateNow,
    async close() {
      clearInterval(timer);
      await running;
    },
  };
}

/**
 * Rotates `path` when it is larger than `maxBytes`; returns whether it did.
 * The writer holds the file open with O_APPEND, so renaming it would not redirect its writes: the content is copied
 * aside and the file truncated in place, and the writer's next append lands at the new end. Lines written between
 * the copy and the truncation are lost; that window is a few milliseconds every `maxBytes`.
 */
export async function rotateLogFile(path: string, options: { maxBytes: number; keep: number }): Promise<boolean> {
  let sizeBytes: number;
  try {
    sizeBytes = (await stat(path)).size;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
  if (sizeBytes <= options.maxBytes) return false;

  if (options.keep > 0) {
    await rm(`${path}.${options.keep}`, { force: true });
    for (let index = options.keep - 1; index >= 1; index -= 1) {
      await renameIfPresent(`${path}.${index}`, `${path}.${index + 1}`);
    }
    await copyFile(path, `${path}.1`);
  }
  await truncate(path, 0);
  return true;
}

/** The rotated files of `path`, newest first. */
export function rotatedLogPaths(path: string, keep: number): string[] {
  return Array.from({ length: keep }, (_, index) => `${path}.${index + 1}`);
}

async function renameIfPresent(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}
