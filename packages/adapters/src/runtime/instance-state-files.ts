/** Keeps each instance's directory under the state dir: its `instance.json` record and the paths of its log files. */
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '@slipway/atomic-file';
import type { InstanceStatus } from '@slipway/core';

export type LogStream = 'stdout' | 'stderr';

/** What survives the control plane about one instance. Env values are never written: they may be secrets. */
export interface InstanceRecord {
  version: 1;
  instanceId: string;
  labels: Record<string, string>;
  command: string;
  workDir: string;
  /** Names of the spec's env variables, for diagnosis; the values stay in memory only. */
  envKeys: string[];
  host: string;
  /** Null for an instance that listens on no port. */
  port: number | null;
  pid: number;
  /** Field 22 of `/proc/<pid>/stat` at start: liveness requires the pid to still have this start time. */
  startTicks: number;
  startedAtMs: number;
  stopGraceMs: number;
  state: 'running' | 'exited';
  exitCode: number | null;
  exitSignal: string | null;
  exitedAtMs: number | null;
  /** The user the instance runs as when it runs sandboxed; absent when it runs as the control plane's own user. */
  sandbox?: { uid: number; gid: number };
}

export interface InstanceStateFiles {
  dirOf(instanceId: string): string;
  logPath(instanceId: string, stream: LogStream): string;
  /** The sandboxed instance's writable scratch dir (its `/tmp`); removed with the instance. */
  scratchPath(instanceId: string): string;
  statePath(instanceId: string): string;
  /** The record, or undefined when the instance has no (readable) state file. */
  read(instanceId: string): Promise<InstanceRecord | undefined>;
  /** Replaces the record atomically; rejects with ENOENT when the instance's directory is gone (removed). */
  write(record: InstanceRecord): Promise<void>;
  listInstanceIds(): Promise<string[]>;
  removeDir(instanceId: string): Promise<void>;
}

const stateFileName = 'instance.json';

/** The runtime port's view of a record. */
export function statusOfRecord(record: InstanceRecord): InstanceStatus {
  return {
    instanceId: record.instanceId,
    labels: { ...record.labels },
    state: record.state,
    pid: record.pid,
    host: record.host,
    port: record.port,
    startedAtMs: record.startedAtMs,
    exitCode: record.exitCode,
    exitSignal: record.exitSignal,
    exitedAtMs: record.exitedAtMs,
  };
}

/** Instance ids become directory names, so only plain names are accepted. */
export function isSafeInstanceId(instanceId: string): boolean {
  return /^[A-Za-z0-9_][A-Za-z0-9._-]{0,199}$/.test(instanceId);
}

export function createInstanceStateFiles(stateDir: string): InstanceStateFiles {
  const dirOf = (instanceId: string): string => join(stateDir, instanceId);
  const statePath = (instanceId: string): string => join(dirOf(instanceId), stateFileName);

  return {
    dirOf,
    statePath,
    logPath: (instanceId, stream) => join(dirOf(instanceId), `${stream}.log`),
    scratchPath: (instanceId) => join(dirOf(instanceId), 'scratch'),

    async read(instanceId) {
      let text: string;
      try {
        text = await readFile(statePath(instanceId), 'utf8');
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
      try {
        return parseInstanceRecord(JSON.parse(text));
      } catch {
        return undefined;
      }
    },

    async write(record) {
      await writeFileAtomic(statePath(record.instanceId), `${JSON.stringify(record, null, 2)}\n`);
    },

    async listInstanceIds() {
      let entries;
      try {
        entries = await readdir(stateDir, { withFileTypes: true });
      } catch (error) {
        if (isNotFound(error)) return [];
        throw error;
      }
      return entries.filter((entry) => entry.isDirectory() && isSafeInstanceId(entry.name)).map((entry) => entry.name);
    },

    async removeDir(instanceId) {
      // Retries cover a state write of a late exit event racing with the removal.
      await rm(dirOf(instanceId), { recursive: true, force: true, maxRetries: 3 });
    },
  };
}

export function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

function parseInstanceRecord(value: unknown): InstanceRecord | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Partial<Record<keyof InstanceRecord, unknown>>;
  const isInt = (field: unknown): field is number => typeof field === 'number' && Number.isSafeInteger(field);
  const isIntOrNull = (field: unknown): boolean => field === null || isInt(field);
  const isStringMap = (field: unknown): field is Record<string, string> =>
    typeof field === 'object' &&
    field !== null &&
    Object.values(field as Record<string, unknown>).every((entry) => typeof entry === 'string');
  const isValid =
    record.version === 1 &&
    typeof record.instanceId === 'string' &&
    isStringMap(record.labels) &&
    typeof record.command === 'string' &&
    typeof record.workDir === 'string' &&
    Array.isArray(record.envKeys) &&
    typeof record.host === 'string' &&
    (record.port === null || isInt(record.port)) &&
    isInt(record.pid) &&
    isInt(record.startTicks) &&
    isInt(record.startedAtMs) &&
    isInt(record.stopGraceMs) &&
    (record.state === 'running' || record.state === 'exited') &&
    isIntOrNull(record.exitCode) &&
    (record.exitSignal === null || typeof record.exitSignal === 'string') &&
    isIntOrNull(record.exitedAtMs) &&
    (record.sandbox === undefined || isSandboxIdentity(record.sandbox));
  return isValid ? (value as InstanceRecord) : undefined;
}

function isSandboxIdentity(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const { uid, gid } = value as { uid?: unknown; gid?: unknown };
  return Number.isSafeInteger(uid) && Number.isSafeInteger(gid) && (uid as number) > 0 && (gid as number) > 0;
}
