/**
 * The catalog's check port: one run of one interval check (HTTP, TCP, gRPC health, script) under its deadline,
 * answered with Consul's status and a bounded output. Scheduling (intervals, what to run) lives in core.
 */
import type { CheckDefinition, CheckStatus } from '../catalog/catalog-records.js';

/** The check definitions a runner probes; TTL, maintenance, `serfHealth` and Slipway's own checks are held by the catalog. */
export type RunnableCheckDefinition = Extract<CheckDefinition, { type: 'http' | 'tcp' | 'grpc' | 'script' }>;

/** The most output a check run answers, in UTF-8 bytes (Consul's 4 KiB buffer). */
export const checkOutputMaxBytes = 4 * 1024;

export interface CheckRunResult {
  status: CheckStatus;
  /** What the probe saw (Consul's wording: `HTTP GET <url>: 200 OK Output: …`), at most `checkOutputMaxBytes`. */
  output: string;
}

export interface CatalogCheckRunner {
  /**
   * Runs one check once. Never rejects: a failure to probe (refused, timed out, unreachable, killed) is a `critical`
   * result saying why. Settles within `definition.timeoutMs` (plus the time to kill a script's processes), or at once
   * when `signal` aborts (then `critical`, `check cancelled`). Outputs never carry credentials of a URL.
   */
  run(definition: RunnableCheckDefinition, signal?: AbortSignal): Promise<CheckRunResult>;
}

/** True for a definition a runner probes on an interval (as opposed to one the catalog holds). */
export function isRunnableCheck(definition: CheckDefinition): definition is RunnableCheckDefinition {
  return (
    definition.type === 'http' ||
    definition.type === 'tcp' ||
    definition.type === 'grpc' ||
    definition.type === 'script'
  );
}
