/** The health port: one probe of one instance; scheduling (interval, retries, start period) lives in core. */
import type { HealthCheck } from '@slipway/contract';
import type { ExecResult } from './runtime-driver.js';

export type ProbeCheck = Exclude<HealthCheck, { type: 'none' }>;

export interface ProbeTarget {
  host: string;
  port: number;
  /** Runs an exec check in the instance's context. */
  exec: (command: string, options: { timeoutMs: number }) => Promise<ExecResult>;
}

export interface ProbeResult {
  isHealthy: boolean;
  /** Short reason, e.g. `HTTP 503`, `connect ECONNREFUSED`, `exit 1: …`. */
  detail: string;
}

export interface HealthProber {
  /** Never throws: a failure to probe is an unhealthy result. Respects `check.timeoutSeconds`. */
  probe(check: ProbeCheck, target: ProbeTarget): Promise<ProbeResult>;
}
