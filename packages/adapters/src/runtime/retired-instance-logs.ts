/**
 * The logs of removed instances (retired by a rollout, a scale-down, or a failed deployment's crash-looping ones),
 * kept aside for a bounded time and size so `slipway logs` can still show why they ended.
 */
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { renameDurably, writeFileAtomic } from '@slipway/atomic-file';
import type { LogLine, Logger, RetiredInstance } from '@slipway/core';
import { isNotFound, isSafeInstanceId } from './instance-state-files.js';
import { logStreamFiles, readInstanceLogs } from './read-instance-logs.js';

export interface RetiredLogLimits {
  /** A retired instance's logs are deleted this long after it was removed. */
  maxAgeMs: number;
  /** All retired instances' logs together; past it the oldest go first. */
  maxBytes: number;
}

/** A day, and 256 MiB in all: enough for the crash of last night, never a full disk. */
export const defaultRetiredLogLimits: RetiredLogLimits = { maxAgeMs: 24 * 60 * 60 * 1000, maxBytes: 256 * 1024 * 1024 };

const logFilePattern = /^(stdout|stderr)\.log(\.\d+)?$/;
const recordFileName = 'retired.json';
/** Rotated copies looked for beside a kept log file (the driver keeps 3 by default). */
const maxRotatedFiles = 10;
/** Expired logs are looked for at most this often (they are also pruned at each removal). */
const pruneIntervalMs = 60_000;

export interface RetiredInstanceLogs {
  /** Moves the log files of a removed instance's directory aside, with what identifies it. Never throws. */
  keep(instance: Omit<RetiredInstance, 'retiredAtMs'>, fromDir: string): Promise<void>;
  /** The directory holding a retired instance's log files, or undefined when none is kept. */
  dirOf(instanceId: string): Promise<string | undefined>;
  /** A retired instance's last lines (its files no longer change, so never followed); undefined when none is kept. */
  readLogs(instanceId: string, tailLines: number): Promise<AsyncIterable<LogLine> | undefined>;
  list(): Promise<RetiredInstance[]>;
  /** Deletes what is past the limits; runs at most once a minute unless `isForced`. */
  prune(isForced?: boolean): Promise<void>;
}

export function createRetiredInstanceLogs(
  dir: string,
  limits: RetiredLogLimits,
  logger: Logger,
  nowMs: () => number = Date.now,
): RetiredInstanceLogs {
  let lastPruneAtMs = 0;

  async function readRecord(instanceId: string): Promise<RetiredInstance | undefined> {
    try {
      const parsed = JSON.parse(await readFile(join(dir, instanceId, recordFileName), 'utf8')) as RetiredInstance;
      return typeof parsed.retiredAtMs === 'number' && typeof parsed.instanceId === 'string' ? parsed : undefined;
    } catch {
      return undefined;
    }
  }

  async function list(): Promise<RetiredInstance[]> {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (error) {
      if (isNotFound(error)) return [];
      throw error;
    }
    const records: RetiredInstance[] = [];
    for (const name of names.filter(isSafeInstanceId)) {
      const record = await readRecord(name);
      if (record !== undefined) records.push(record);
    }
    return records.sort((a, b) => a.retiredAtMs - b.retiredAtMs);
  }

  async function sizeOf(instanceId: string): Promise<number> {
    let total = 0;
    try {
      for (const name of await readdir(join(dir, instanceId))) total += (await stat(join(dir, instanceId, name))).size;
    } catch {
      return total;
    }
    return total;
  }

  async function prune(isForced = false): Promise<void> {
    const now = nowMs();
    if (!isForced && now - lastPruneAtMs < pruneIntervalMs) return;
    lastPruneAtMs = now;
    const records = await list();
    const kept: { instanceId: string; sizeBytes: number }[] = [];
    for (const record of records) {
      if (now - record.retiredAtMs > limits.maxAgeMs) await remove(record.instanceId);
      else kept.push({ instanceId: record.instanceId, sizeBytes: await sizeOf(record.instanceId) });
    }
    let totalBytes = kept.reduce((sum, entry) => sum + entry.sizeBytes, 0);
    for (const entry of kept) {
      if (totalBytes <= limits.maxBytes) break;
      await remove(entry.instanceId);
      totalBytes -= entry.sizeBytes;
    }
  }

  async function remove(instanceId: string): Promise<void> {
    await rm(join(dir, instanceId), { recursive: true, force: true });
    logger.debug({ instanceId }, 'retired instance logs deleted');
  }

  async function dirOf(instanceId: string): Promise<string | undefined> {
    return isSafeInstanceId(instanceId) && (await readRecord(instanceId)) !== undefined
      ? join(dir, instanceId)
      : undefined;
  }

  return {
    list,
    prune,
    dirOf,
    async readLogs(instanceId, tailLines) {
      const kept = await dirOf(instanceId);
      if (kept === undefined) return undefined;
      const streams = logStreamFiles((stream) => join(kept, `${stream}.log`), maxRotatedFiles);
      return readInstanceLogs(streams, { tailLines, follow: false, pollMs: 0, isGone: () => Promise.resolve(true) });
    },
    async keep(instance, fromDir) {
      if (!isSafeInstanceId(instance.instanceId) || limits.maxBytes <= 0) return;
      try {
        const target = join(dir, instance.instanceId);
        await mkdir(target, { recursive: true, mode: 0o700 });
        for (const name of await readdir(fromDir)) {
          if (logFilePattern.test(name)) await renameDurably(join(fromDir, name), join(target, name));
        }
        const record: RetiredInstance = { ...instance, retiredAtMs: nowMs() };
        await writeFileAtomic(join(target, recordFileName), `${JSON.stringify(record)}\n`);
        await prune(true);
      } catch (error) {
        if (!isNotFound(error)) logger.warn({ instanceId: instance.instanceId, err: error }, 'could not keep logs');
      }
    },
  };
}
