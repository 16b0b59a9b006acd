/** A fresh queue entry that makes a worker run (or resume) a deployment. */
import type { IdGenerator } from '../ports/id-generator.js';
import type { JobRecord } from './records.js';

export function queuedDeploymentJob(ids: IdGenerator, deploymentId: string, nowMs: number): JobRecord {
  return {
    id: ids.next('job'),
    kind: 'deployment',
    deploymentId,
    state: 'queued',
    attempts: 0,
    leaseOwner: null,
    leaseUntilMs: null,
    runAfterMs: nowMs,
    lastError: null,
    createdAtMs: nowMs,
  };
}
