/** The fake runtime's instances and what the driver does with them (snapshots, output, change waits, ports). */
import { statSync } from 'node:fs';
import type { Server } from 'node:http';
import { createServer as createNetServer } from 'node:net';
import { SlipwayError } from '@slipway/contract';
import type { InstanceSpec, InstanceStatus, LogLine } from '@slipway/core';
import type { FakeRuntimeWorld } from './fake-runtime-driver.js';

export interface FakeInstance {
  spec: InstanceSpec;
  env: Record<string, string>;
  status: InstanceStatus;
  /** Output, oldest first; `droppedLines` older lines were discarded to bound memory. */
  lines: LogLine[];
  droppedLines: number;
  onChange: Set<() => void>;
  server: Server | undefined;
  ignoresStopSignal: boolean;
  isRemoved: boolean;
}

const instancesOfWorld = new WeakMap<FakeRuntimeWorld, Map<string, FakeInstance>>();

export function instancesOf(world: FakeRuntimeWorld): Map<string, FakeInstance> {
  let instances = instancesOfWorld.get(world);
  if (instances === undefined) {
    instances = new Map();
    instancesOfWorld.set(world, instances);
  }
  return instances;
}

export function snapshot(instance: FakeInstance): InstanceStatus {
  return { ...instance.status, labels: { ...instance.status.labels } };
}

export function lineAt(instance: FakeInstance, absoluteIndex: number): LogLine {
  const line = instance.lines[absoluteIndex - instance.droppedLines];
  if (line === undefined) throw new Error(`fake runtime: no log line ${absoluteIndex}`);
  return { ...line };
}

export function notify(instance: FakeInstance): void {
  for (const listener of [...instance.onChange]) listener();
}

/** Resolves true on the instance's next change (a line, an exit, a removal), false once the signal aborts. */
export function changed(instance: FakeInstance, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const finish = (result: boolean): void => {
      instance.onChange.delete(onChange);
      signal?.removeEventListener('abort', onAbort);
      resolve(result);
    };
    const onChange = (): void => finish(true);
    const onAbort = (): void => finish(false);
    instance.onChange.add(onChange);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function startFailed(instanceId: string, message: string): SlipwayError {
  return new SlipwayError('START_FAILED', message, { details: { instanceId } });
}

export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

export function canListen(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createNetServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}
