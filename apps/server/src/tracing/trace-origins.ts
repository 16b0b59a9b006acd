/**
 * Where each deployment's trace began (a W3C `traceparent`), kept in memory and in one small file per deployment under
 * the data dir, so a run resumed after a restart of slipwayd joins the trace of the request that asked for it. Files
 * of deployments that ended without saying so (a job that exhausted its attempts) are removed after `maxAgeMs`.
 */
import { mkdirSync } from 'node:fs';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@slipway/atomic-file';
import { parseTraceParent } from '@slipway/contract';
import type { Logger } from '@slipway/core';

export interface TraceOrigins {
  /** Records `traceparent` for the deployment; the write to disk happens in the background (its failure is logged). */
  record(deploymentId: string, traceparent: string): void;
  /** The deployment's `traceparent`, from memory, else from its file; undefined when none (or unreadable). */
  find(deploymentId: string): Promise<string | undefined>;
  forget(deploymentId: string): void;
  /** Removes files older than `maxAgeMs`. */
  prune(nowMs: number): Promise<number>;
  /** Waits for the writes under way. */
  idle(): Promise<void>;
}

/** Deployment ids are the id generator's (`dep_…`): anything else never names a file. */
const safeId = /^[\w-]{1,128}$/;
/** Entries kept in memory at most (the oldest go first); the files are the record. */
const maxRemembered = 1_024;

export function createTraceOrigins(options: { dir: string; logger: Logger; maxAgeMs: number }): TraceOrigins {
  const { dir, logger, maxAgeMs } = options;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const remembered = new Map<string, string>();
  const pending = new Set<Promise<void>>();
  const fileOf = (deploymentId: string): string | undefined =>
    safeId.test(deploymentId) ? join(dir, `${deploymentId}.traceparent`) : undefined;

  return {
    record(deploymentId, traceparent) {
      remembered.set(deploymentId, traceparent);
      if (remembered.size > maxRemembered) {
        const oldest = remembered.keys().next().value;
        if (oldest !== undefined) remembered.delete(oldest);
      }
      const file = fileOf(deploymentId);
      if (file === undefined) return;
      const write = writeFileAtomic(file, `${traceparent}\n`, { mode: 0o600 })
        .catch((error: unknown) => logger.warn({ deploymentId, err: error }, 'trace origin not persisted'))
        .finally(() => pending.delete(write));
      pending.add(write);
    },
    async find(deploymentId) {
      const known = remembered.get(deploymentId);
      if (known !== undefined) return known;
      const file = fileOf(deploymentId);
      if (file === undefined) return undefined;
      const text = await readFile(file, 'utf8').catch(() => undefined);
      const value = text?.trim();
      return parseTraceParent(value) === undefined ? undefined : value;
    },
    forget(deploymentId) {
      remembered.delete(deploymentId);
      const file = fileOf(deploymentId);
      if (file !== undefined) void rm(file, { force: true }).catch(() => undefined);
    },
    async prune(nowMs) {
      let removed = 0;
      for (const name of await readdir(dir).catch(() => [] as string[])) {
        const file = join(dir, name);
        const info = await stat(file).catch(() => undefined);
        if (info === undefined || nowMs - info.mtimeMs <= maxAgeMs) continue;
        await rm(file, { force: true });
        removed += 1;
      }
      return removed;
    },
    async idle() {
      await Promise.all([...pending]);
    },
  };
}
